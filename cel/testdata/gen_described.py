"""Cases of the fx-mcp fix (docs/inspection.md, "Actions described by tool arguments"): tool
calls whose arguments describe an infrastructure action as structured data (a resource
operation, a path on a removal tool, a MongoDB command document, a code-interpreter program)
and requests tunnelled through a console or proxy endpoint, each with benign twins. Written by
the helper that wrote the code, so it is a regression suite, not a measure of generalisation.
Run: python3 gen_described.py > described.jsonl
"""
import json
C=[]
MCP="https://mcp.corp.example/mcp"
def add(id,exp,method,url,body="",headers=None,note=""):
    h=headers or {}
    if body and "content-type" not in h: h["content-type"]="application/json"
    C.append({"id":id,"expect":exp,"note":note,"request":{"method":method,"url":url,"headers":h,"body":body if isinstance(body,str) else json.dumps(body)}})
def tool(id,exp,name,args,note=""):
    add(id,exp,"POST",MCP,json.dumps({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":name,"arguments":args}}),note=note)
# Resource operations described by verb/kind/name.
tool("res-k8s-verb","block","kubernetes",{"verb":"delete","kind":"Namespace","name":"prod"},"verb/kind/name: delete a namespace")
tool("res-k8s-action","block","k8s_manage",{"action":"delete","resource":"namespaces","name":"prod"},"action/resource: plural resource")
tool("res-k8s-operation","block","cluster_ops",{"operation":"delete_resource","apiVersion":"v1","kind":"Namespace","name":"payments"},"operation names the verb in words")
tool("res-k8s-toolname","block","delete_k8s_object",{"kind":"Namespace","metadata":{"name":"prod"}},"the tool name is the verb")
tool("res-k8s-crd","block","kube",{"op":"delete","kind":"CustomResourceDefinition","name":"certificates.cert-manager.io"},"cluster-scoped CRD")
tool("res-k8s-all-pods","block","kubernetes",{"verb":"delete","kind":"Pod","namespace":"prod"},"no name: the whole collection")
tool("res-k8s-get","allow","kubernetes",{"verb":"get","kind":"Namespace","name":"prod"},"read twin")
tool("res-k8s-list","allow","k8s_manage",{"action":"list","resource":"pods","namespace":"prod"},"list twin")
tool("res-k8s-describe","allow","cluster_ops",{"operation":"describe","kind":"Deployment","namespace":"prod","name":"api"},"describe twin")
tool("res-k8s-dryrun","allow","kubernetes",{"verb":"delete","kind":"Namespace","name":"prod","dryRun":True},"dry run twin")
tool("res-k8s-one-pod","block","kubernetes",{"verb":"delete","kind":"Pod","namespace":"dev","name":"web-7d9f-abcde"},"one pod: held for approval like DELETE .../pods/NAME itself")
tool("res-k8s-secret","block","kubectl",{"verb":"delete","kind":"secret","name":"db-creds"},"a generic resource name in a Kubernetes tool")
tool("res-calendar-event","allow","calendar",{"action":"delete","type":"event","id":"evt_9"},"a calendar event is not a Kubernetes event")
tool("res-todo-task","allow","todo",{"action":"delete","type":"task","id":"123"},"scoped delete of one task")
tool("res-comment","allow","issue_tracker",{"operation":"delete","resource_type":"comment","id":"c-8812"},"scoped delete of one comment")
tool("res-command-key","block","kubectl",{"command":"delete","resource":"namespace","name":"prod"},"verb under a command key")
tool("res-manifest","block","kubernetes_apply",{"operation":"delete","manifest":{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"prod"}}},"kind inside a manifest")
tool("res-op-names-kind","block","mongodb",{"operation":"dropDatabase","database":"prod"},"the operation names the resource type")
tool("res-terraform-type","block","terraform_tool",{"action":"destroy","resource":"aws_db_instance","name":"prod"},"a provider resource type")
tool("res-bucket","block","cloud_manager",{"action":"delete","resource_type":"s3_bucket","resource_id":"prod-backups"},"bucket delete")
tool("res-cart-item","allow","shop",{"action":"remove_item_from_cart","item_id":"sku-1"},"an application's own removal")
tool("res-scale","allow","kubectl",{"command":"scale","resource":"deployment","name":"api","replicas":3},"scale twin")
# Paths on removal tools.
tool("fs-remove-recursive","block","fs_remove",{"path":"/srv","recursive":True},"path + recursive on a remove tool")
tool("fs-delete-dir","block","filesystem.delete_directory",{"directory":"/var/lib/postgresql","force":True},"directory + force")
tool("fs-rm-home","block","rm",{"paths":["~/"],"recursive":True},"home directory")
tool("fs-remove-tmp","allow","fs_remove",{"path":"/tmp/build/out.log"},"one temporary file")
tool("fs-read","allow","fs_read",{"path":"/srv/app/config.yaml"},"read twin")
tool("fs-list-recursive","allow","list_directory",{"path":"/srv","recursive":True},"recursive listing twin")
tool("fs-op-delete","block","file_manager",{"operation":"delete","path":"/etc","recursive":True},"the operation, not the tool, removes")
tool("fs-op-delete-tmp","allow","file_manager",{"operation":"delete","path":"/tmp/cache/x.json"},"one cache file")
# MongoDB command documents.
tool("mongo-dropdb","block","mongodb.run_command",{"database":"prod","command":{"dropDatabase":1}},"runCommand dropDatabase")
tool("mongo-drop","block","mongo",{"db":"shop","command":{"drop":"orders"}},"runCommand drop a collection")
tool("mongo-runcommand-key","block","database_tool",{"runCommand":{"dropDatabase":1},"db":"billing"},"runCommand key")
tool("mongo-find","allow","mongodb.run_command",{"database":"prod","command":{"find":"orders","filter":{"status":"open"},"limit":10}},"find twin")
tool("mongo-count","allow","mongo",{"db":"shop","command":{"count":"orders"}},"count twin")
tool("mongo-deletemany-all","block","mongodb",{"action":"deleteMany","collection":"orders","filter":{}},"deleteMany with an empty filter")
tool("mongo-deletemany-scoped","allow","mongodb",{"action":"deleteMany","collection":"sessions","filter":{"expiresAt":{"$lt":"2026-01-01"}}},"scoped deleteMany")
# Code-interpreter programs.
py=lambda s: s
tool("code-py-rmtree","block","python",{"code":"import shutil\nshutil.rmtree('/var/lib/postgresql/data')"},"shutil.rmtree")
tool("code-py-subprocess","block","execute_code",{"code":"import subprocess\nsubprocess.run(['rm', '-rf', '/srv/data'], check=True)"},"subprocess argv list")
tool("code-py-os-system","block","code_interpreter",{"code":"import os\nos.system('kubectl delete namespace prod')"},"os.system shell command")
tool("code-py-requests-delete","block","run_python",{"code":"import requests\nr = requests.delete('https://api.github.com/repos/acme/infra', headers=h)\nprint(r.status_code)"},"requests.delete of a repository")
tool("code-py-requests-request","block","jupyter.execute",{"code":"import requests\nrequests.request('DELETE', 'https://es.corp:9200/orders-2026')"},"requests.request with a DELETE")
tool("code-js-rmsync","block","run_javascript",{"code":"const fs = require('fs');\nfs.rmSync('/srv/app', { recursive: true, force: true });"},"fs.rmSync recursive")
tool("code-js-fetch-delete","block","sandbox.run",{"code":"await fetch('https://api.heroku.com/apps/prod-api', {method: 'DELETE'})"},"fetch with DELETE")
tool("code-js-execsync","block","node_eval",{"script":"require('child_process').execSync('rm -rf /var/www')"},"execSync shell command")
tool("code-py-fstring-repo","block","run_python",{"code":"import requests\nfor repo in repos:\n    requests.delete(f'https://api.github.com/repos/acme/{repo}', headers=h)"},"f-string URL whose shape is a repository delete")
tool("code-py-fstring-item","allow","run_python",{"code":"import requests\nrequests.delete(f'https://todo.example.com/v1/items/{item_id}')"},"f-string URL of one application record")
tool("code-py-read","allow","python",{"code":"import pandas as pd\ndf = pd.read_csv('/data/sales.csv')\nprint(df.describe())"},"reads only")
tool("code-py-get","allow","run_python",{"code":"import requests\nr = requests.get('https://api.github.com/repos/acme/infra')\nprint(r.json()['stargazers_count'])"},"GET twin")
tool("code-py-listdir","allow","execute_code",{"code":"import os\nfor f in os.listdir('/srv'):\n    print(f)"},"listing twin")
tool("code-py-list-remove","allow","python",{"code":"items = [3, 1, 2]\nitems.remove(1)\nprint(sorted(items))"},"list.remove is not a file removal")
tool("code-js-fetch-get","allow","sandbox.run",{"code":"const r = await fetch('https://api.heroku.com/apps/prod-api');\nconsole.log(await r.json())"},"fetch GET twin")
tool("code-js-readfile","allow","run_javascript",{"code":"const fs = require('fs');\nconsole.log(fs.readFileSync('/srv/app/package.json', 'utf8'))"},"readFileSync twin")
# Requests tunnelled through console / proxy endpoints.
K="https://kibana.corp.example:5601"
kh={"kbn-xsrf":"true"}
add("tunnel-kibana-delete","block","POST",K+"/api/console/proxy?path=%2Flogs-*&method=DELETE",headers=dict(kh),note="Kibana console DELETE of an index pattern")
add("tunnel-kibana-dbq","block","POST",K+"/api/console/proxy?path=%2Forders-2026%2F_delete_by_query&method=POST",{"query":{"match_all":{}}},headers=dict(kh),note="delete_by_query match_all through the console")
add("tunnel-kibana-unencoded","block","POST",K+"/api/console/proxy?path=/_all&method=DELETE",headers=dict(kh),note="path not percent-encoded")
add("tunnel-forward","block","POST","https://gw.corp.example/forward?url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=DELETE",note="generic forward endpoint")
add("tunnel-kibana-search","allow","POST",K+"/api/console/proxy?path=%2Flogs-*%2F_search&method=GET",{"query":{"match":{"level":"error"}}},headers=dict(kh),note="search through the console")
add("tunnel-kibana-cat","allow","POST",K+"/api/console/proxy?path=_cat%2Findices&method=GET",headers=dict(kh),note="cat indices")
add("tunnel-kibana-scoped-dbq","allow","POST",K+"/api/console/proxy?path=%2Forders-2026%2F_delete_by_query&method=POST",{"query":{"term":{"customer_id":"c-42"}}},headers=dict(kh),note="scoped delete_by_query")
add("tunnel-image-proxy","allow","GET","https://cdn.corp.example/proxy?url=https%3A%2F%2Fimages.example.com%2Fa.png",note="image proxy GET")
for c in C: print(json.dumps(c))
