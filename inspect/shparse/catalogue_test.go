package shparse

import (
	"strings"
	"testing"
)

// TestCatalogueDestructive covers the CLI catalogue, interpreter one-liners, schedulers and
// detachers: each line must be destructive, with a reason naming what it does.
func TestCatalogueDestructive(t *testing.T) {
	tests := []struct{ src, reason string }{
		{"aws kms schedule-key-deletion --key-id 1234 --pending-window-in-days 7", "schedule-key-deletion"},
		{"aws cloudtrail stop-logging --name main", "stop-logging"},
		{"aws --region us-east-1 ec2 terminate-instances --instance-ids i-1", "terminate-instances"},
		{"aws s3api delete-bucket --bucket b", "delete-bucket"},
		{"aws dynamodb batch-delete-item --request-items file://x.json", "batch-delete-item"},
		{"gcloud projects delete my-proj --quiet", "gcloud projects delete"},
		{"gcloud kms keys versions destroy 1 --key k --keyring r --location global", "destroy"},
		{"az keyvault purge --name kv", "az keyvault purge"},
		{"az storage blob delete-batch -s c --account-name a", "delete-batch"},
		{"gh repo delete acme/payments --yes", "gh repo delete"},
		{"gh -R acme/payments release delete v1.0", "release delete"},
		{"git -c alias.cleanup='!rm -rf /' cleanup", "rm -r -f on /"},
		{"git -c alias.p='push --force' p origin main", "git push --force"},
		{"git -c core.sshCommand='rm -rf ~' fetch", "on ~"},
		{"git push origin --delete main", "git push --delete"},
		{"git update-ref -d refs/heads/main", "update-ref -d"},
		{"git reflog expire --expire=now --all", "reflog expire"},
		{"kubectl --context prod delete ns payments", "kubectl delete ns payments"},
		{"kubectl delete deploy api --dry-run=none", "kubectl delete"},
		{"kubectl delete deploy api --dry-run=false", "kubectl delete"},
		{"kubectl delete deploy api --dry-run=client --dry-run=none", "kubectl delete"},
		{"microk8s kubectl delete ns prod", "delete ns prod"},
		{"kubectl apply -f k8s/ --prune -l app=x", "apply --prune"},
		{"helm uninstall payments -n prod", "helm uninstall"},
		{"terraform destroy -auto-approve", "terraform destroy"},
		{"terragrunt run-all destroy", "destroy"},
		{"pulumi destroy --yes -s prod", "pulumi destroy"},
		{"pulumi stack rm prod --force", "pulumi stack rm"},
		{"docker compose down -v", "compose down -v"},
		{"docker-compose down --volumes", "down --volumes"},
		{"docker volume prune -f", "volume prune"},
		{"docker run --rm -v /:/host alpine sh", "mounts the host's /"},
		{"docker run -v /var/run/docker.sock:/var/run/docker.sock img", "docker.sock"},
		{"dropdb production", "dropdb production"},
		{"mysqladmin -h db.internal -u root drop shop", "mysqladmin"},
		{"redis-cli -h cache -p 6379 FLUSHALL", "FLUSHALL"},
		{"redis-cli -n 2 flushdb", "flushdb"},
		{"zfs destroy -r tank/prod", "zfs destroy"},
		{"lvremove -f /dev/vg0/data", "lvremove"},
		{"systemctl stop postgresql", "systemctl stop"},
		{"iptables -F", "flushes every firewall rule"},
		{"s5cmd rm 's3://prod-bucket/*'", "s5cmd rm"},
		{"ansible all -i prod -m shell -a 'rm -rf /var/www'", "rm -r -f on /var/www"},
		{"ansible db -a 'dropdb shop'", "dropdb"},
		{"kubectl create clusterrolebinding agent --clusterrole=cluster-admin --serviceaccount=tools:default", "binds an administrator role"},
		{"gcloud projects add-iam-policy-binding acme --member=user:x@y.com --role=roles/owner", "owner or editor"},
		{"az role assignment create --assignee x@y.com --role Owner --scope /subscriptions/s", "administrator role"},
		{"aws iam attach-user-policy --user-name a --policy-arn arn:aws:iam::aws:policy/AdministratorAccess", "administrator policy"},
		{"etcdctl del --prefix /registry", "etcdctl del"},
		{"npx prisma migrate reset --force", "migrate reset"},
		{`mongosh "mongodb://db/shop" --eval 'db.orders.drop()'`, "drops"},
		{`mongosh --eval 'db.users.deleteMany({})'`, "empty filter"},
		{`sqlcmd -S prod -Q "DROP TABLE dbo.Users"`, "DROP TABLE"},
		{`bq query --nouse_legacy_sql 'DELETE FROM ds.t WHERE true'`, "DELETE without a real WHERE"},
		{`snowsql -q "TRUNCATE TABLE raw.events"`, "TRUNCATE"},
		{`mysql -e "/*!50000 DROP TABLE users */"`, "DROP TABLE"},
		{"python3 -c 'import shutil; shutil.rmtree(\"/var/lib/postgresql\")'", "on /var/lib/postgresql"},
		{`python -c "import os; os.system('rm -rf /')"`, "rm -r -f on /"},
		{`python3 -c "import subprocess; subprocess.run(['rm', '-rf', '/home'])"`, "on /home"},
		{`python3 -c "import shutil,sys; shutil.rmtree(sys.argv[1])" /data`, "unresolved path"},
		{`python -c "import os; os.remove('/etc/passwd')"`, "system file /etc/passwd"},
		{`perl -e 'system("rm -rf /")'`, "rm -r -f on /"},
		{`perl -MFile::Path -e 'rmtree("/srv")'`, "on /srv"},
		{"perl -e 'qx{rm -rf /}'", "rm -r -f on /"},
		{`ruby -e 'FileUtils.rm_rf("/etc")'`, "on /etc"},
		{"ruby -e '`rm -rf ~`'", "on ~"},
		{`node -e "require('child_process').execSync('rm -rf /')"`, "rm -r -f on /"},
		{`node -e "require('fs').rmSync('/', {recursive: true, force: true})"`, "on /"},
		{"node -e 'require(\"child_process\").execSync(`rm -rf ${process.env.HOME}`)'", "unresolved path"},
		{`php -r 'system("rm -rf /");'`, "rm -r -f on /"},
		{`awk 'BEGIN { system("rm -rf /") }'`, "rm -r -f on /"},
		{"echo 'rm -rf /' | at now + 1 minute", "rm -r -f on /"},
		{"at midnight <<< 'rm -rf /srv'", "on /srv"},
		{"screen -dmS wipe rm -rf /", "rm -r -f on /"},
		{"screen -S work -X stuff 'rm -rf /\n'", "rm -r -f on /"},
		{"tmux new-session -d 'rm -rf /'", "rm -r -f on /"},
		{"tmux send-keys -t 0 'rm -rf ~' Enter", "on ~"},
		{"parallel rm -rf ::: / /home", "on /"},
		{"parallel 'rm -rf {}' ::: /etc", "on /etc"},
		{"script -qc 'rm -rf /' /dev/null", "rm -r -f on /"},
		{`(crontab -l; echo "* * * * * rm -rf /") | crontab -`, "rm -r -f on /"},
		{"nohup rm -rf / &", "rm -r -f on /"},
		{"timeout 10 env X=1 sudo rm -rf /", "rm -r -f on /"},
		{"find / -name '*.log' -exec rm -f {} +", "find -exec rm under /"},
		{"find /etc -type f -delete", "find -delete under /etc"},
		{"#!/bin/bash\nset -e\ncd /srv\nrm -rf ./data ./backups", "on /srv/data"},
		{"cd && rm -rf .config", "on ~/.config"},
		{"cd / && find . -delete", "find -delete under /"},
		{`powershell -NoProfile -Command "Remove-Item -Recurse -Force C:\inetpub\wwwroot"`, "Remove-Item recursive on C:"},
		{`pwsh -c "Get-Date; Format-Volume -DriveLetter D"`, "Format-Volume"},
		{`cmd /c rd /s /q D:\data`, "rd recursive on D:"},
		{`powershell -enc SQBFAFgA`, "EncodedCommand"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := Analyze(tt.src)
			if !r.Destructive {
				t.Fatalf("Analyze(%q) not destructive; commands %+v", tt.src, r.Commands)
			}
			for _, reason := range r.Reasons {
				if strings.Contains(reason, tt.reason) {
					return
				}
			}
			t.Errorf("Analyze(%q) reasons %q, want one containing %q", tt.src, r.Reasons, tt.reason)
		})
	}
}

// TestCatalogueBenign: read-only twins and dry runs of the destructive lines above.
func TestCatalogueBenign(t *testing.T) {
	for _, src := range []string{
		"aws kms describe-key --key-id 1234",
		"aws cloudtrail describe-trails",
		"aws ec2 terminate-instances --instance-ids i-1 --dry-run",
		"gcloud projects describe my-proj",
		"az keyvault show --name kv",
		"gh repo view acme/payments",
		"gh release list -R acme/payments",
		"git -c alias.st=status st",
		"git -c core.pager=cat log -n 3",
		"git push --dry-run --force origin main",
		"kubectl delete ns payments --dry-run=client",
		"kubectl delete deploy api --dry-run=server -o yaml",
		"kubectl apply -f k8s/",
		"helm uninstall payments --dry-run",
		"helm status payments",
		"terraform plan -destroy",
		"pulumi preview -s prod",
		"docker compose down",
		"docker run --rm -v $PWD:/src -w /src golang go test ./...",
		"docker run --rm -v data:/var/lib/postgresql/data postgres",
		"psql -c 'select 1'",
		`mongosh --eval 'db.users.find({active: true}).count()'`,
		`mongosh --eval 'db.users.deleteMany({lastLogin: {$lt: new Date("2020-01-01")}})'`,
		`sqlcmd -S prod -Q "SELECT TOP 5 * FROM [dbo].[Users]"`,
		`bq query --nouse_legacy_sql 'SELECT COUNT(*) FROM ds.t'`,
		`snowsql -q "SHOW WAREHOUSES"`,
		"redis-cli -h cache GET session:1",
		"zfs list -t snapshot",
		"systemctl status postgresql",
		"service nginx status",
		"iptables -L -n",
		"ansible all -m ping",
		"ansible all -i prod -a 'uptime'",
		"kubectl create rolebinding agent --clusterrole=view --serviceaccount=tools:default -n prod",
		"gcloud projects add-iam-policy-binding acme --member=user:x@y.com --role=roles/viewer",
		"az role assignment create --assignee x@y.com --role Reader --scope /subscriptions/s",
		"aws iam attach-user-policy --user-name a --policy-arn arn:aws:iam::aws:policy/ReadOnlyAccess",
		"etcdctl get --prefix /registry",
		"python3 -c 'import json,sys; print(json.load(sys.stdin)[\"name\"])'",
		`python3 -c "import shutil; shutil.rmtree('/tmp/build')"`,
		`python -c "import asyncio; asyncio.run(main())"`,
		`node -e "console.log(/x/.exec(process.argv[1]))"`,
		`node -e "require('fs').rmSync('dist', {recursive: true})"`,
		`perl -ne 'print if /ERROR/' app.log`,
		`ruby -e 'puts File.read("Gemfile")'`,
		`awk '{ print $1 }' access.log`,
		"echo 'ls -la' | at now",
		"screen -dmS build make -j4",
		"tmux new-session -d -s dev 'npm run dev'",
		"parallel gzip ::: a.log b.log",
		"find /tmp -name '*.sock' -mtime +7 -exec rm -f {} \\;",
		"find . -name '*.pyc' -exec rm -rf {} +",
		"crontab -l",
		"cd /workspace/app && rm -rf dist node_modules",
		"cd /srv && cd /tmp/build && rm -rf out",
		`powershell -Command "Get-ChildItem C:\logs | Select-Object -First 5"`,
		`powershell -Command "Remove-Item -Recurse -Force .\build"`,
		`cmd /c dir C:\ /s`,
		`cmd /c rd /s /q %TEMP%\work`,
		"echo '0 3 * * * /usr/local/bin/backup.sh' | crontab -",
	} {
		t.Run(src, func(t *testing.T) {
			r := Analyze(src)
			if r.ParseError != "" {
				t.Fatalf("parse error: %s", r.ParseError)
			}
			if r.Destructive {
				t.Errorf("Analyze(%q) destructive with %q, want benign", src, r.Reasons)
			}
		})
	}
}

// TestHTTPRequests: commands that send HTTP requests expose them with the tool's defaults.
func TestHTTPRequests(t *testing.T) {
	tests := []struct {
		src          string
		method, url  string
		header, body string
	}{
		{"curl -X DELETE -H 'Authorization: Bearer x' https://api.github.com/repos/acme/app", "DELETE", "https://api.github.com/repos/acme/app", "Authorization: Bearer x", ""},
		{"curl -s -XDELETE api.github.com/repos/acme/app", "DELETE", "http://api.github.com/repos/acme/app", "", ""},
		{`curl -d '{"a":1}' https://x.example/v1`, "POST", "https://x.example/v1", "", `{"a":1}`},
		{"curl -I https://x.example/", "HEAD", "https://x.example/", "", ""},
		{"curl --request=PATCH --url https://k8s.example/api/v1/namespaces/x", "PATCH", "https://k8s.example/api/v1/namespaces/x", "", ""},
		{"wget --method=DELETE https://x.example/a", "DELETE", "https://x.example/a", "", ""},
		{"wget -qO- --post-data 'q=1' https://x.example/a", "POST", "https://x.example/a", "", "q=1"},
		{"http DELETE api.github.com/repos/acme/app Authorization:'Bearer x'", "DELETE", "http://api.github.com/repos/acme/app", "Authorization:Bearer x", ""},
		{"https POST example.org/items name=x", "POST", "https://example.org/items", "", "name=x"},
		{"gh api -X DELETE repos/acme/app", "DELETE", "https://api.github.com/repos/acme/app", "", ""},
		{"gh api --method PUT repos/acme/app/branches/main/protection -F allow_force_pushes=true", "PUT", "https://api.github.com/repos/acme/app/branches/main/protection", "", `{"allow_force_pushes":true}`},
		{"gh api -X GET repos/acme/app/pulls -f state=open", "GET", "https://api.github.com/repos/acme/app/pulls?state=open", "", ""},
		{"sudo -u ops curl -X DELETE https://a.example/x", "DELETE", "https://a.example/x", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := Analyze(tt.src)
			if len(r.HTTP) != 1 {
				t.Fatalf("Analyze(%q).HTTP = %+v, want one request", tt.src, r.HTTP)
			}
			h := r.HTTP[0]
			if h.Method != tt.method || h.URL != tt.url || h.Body != tt.body {
				t.Errorf("request = %+v, want %s %s body %q", h, tt.method, tt.url, tt.body)
			}
			if tt.header != "" && (len(h.Headers) == 0 || h.Headers[0] != tt.header) {
				t.Errorf("headers = %q, want %q first", h.Headers, tt.header)
			}
		})
	}
	g := Analyze(`gh api graphql -f query='mutation { deleteRepository(input: {repositoryId: "R_1"}) { clientMutationId } }'`)
	if len(g.HTTP) != 1 || g.HTTP[0].Method != "POST" || !strings.HasPrefix(g.HTTP[0].Body, `{"query":"mutation { deleteRepository`) {
		t.Errorf("gh api graphql = %+v", g.HTTP)
	}
}

// TestCatalogueLimitsFailClosed: every bound of the new readers makes the text destructive with
// a reason, never silently drops what lies past it.
func TestCatalogueLimitsFailClosed(t *testing.T) {
	var curls []string
	for i := 0; i <= maxHTTPRequests; i++ {
		curls = append(curls, "curl -s https://x.example/"+strings.Repeat("a", i%3))
	}
	many := strings.Repeat("a ", maxParallelArgs) + "/"
	tests := []struct{ name, src, reason string }{
		{"http requests", strings.Join(curls, "; "), "HTTP requests"},
		{"parallel arguments", "parallel rm -rf ::: " + many, "arguments cannot be analysed"},
		{"eval nesting", `python3 -c 'exec("exec(\"exec(\\\"exec(\\\\\\\"print(1)\\\\\\\")\\\")\")")'`, "nested"},
		{"code tokens", "python3 -c '" + strings.Repeat("x;", maxCodeTokens) + "'", "tokens cannot be analysed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.src)
			if !r.Destructive || !strings.Contains(strings.Join(r.Reasons, ";"), tt.reason) {
				t.Errorf("reasons %q (parse error %q), want one containing %q", r.Reasons, r.ParseError, tt.reason)
			}
		})
	}
}

// TestIFSMakesExpansionsDynamic: once IFS is assigned, an expansion's words are not known, so a
// command built from one is dynamic (held by the pack), not the one unsplit word.
func TestIFSMakesExpansionsDynamic(t *testing.T) {
	r := Analyze("IFS=,; cmd=rm,-rf,/srv; $cmd")
	if len(r.Commands) != 1 || !r.Commands[0].Dynamic {
		t.Fatalf("got %+v, want one dynamic command", r.Commands)
	}
	if r := Analyze("cmd=ls; $cmd -la"); len(r.Commands) != 1 || r.Commands[0].Dynamic || r.Commands[0].Name != "ls" {
		t.Fatalf("without IFS: got %+v, want ls", r.Commands)
	}
}
