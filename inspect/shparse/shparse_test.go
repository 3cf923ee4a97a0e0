package shparse

import (
	"reflect"
	"strings"
	"testing"
)

func TestAnalyzeDestructive(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		reason string // substring of some reason
	}{
		// recursive rm of protected paths
		{"rm -rf /", "rm -rf /", "rm -r -f on /"},
		{"rm -rf ~/*", "rm -rf ~/*", "on ~/*"},
		{"rm -rf /*", "rm -rf /*", "on /*"},
		{"rm -rf $HOME", "rm -rf $HOME", "$HOME"},
		{"rm -rf ${HOME}/", `rm -rf "${HOME}/"`, "rm -r -f on"},
		{"rm -r /etc", "rm -r /etc", "rm -r on /etc"},
		{"rm -fr /var/lib/postgresql", "rm -fr /var/lib/postgresql", "on /var/lib/postgresql"},
		{"rm -R -f /srv", "rm -R -f /srv", "on /srv"},
		{"rm long options", "rm --recursive --force /home", "on /home"},
		{"rm options after operand", "rm / -rf", "on /"},
		{"rm no-preserve-root", "rm -rf --no-preserve-root /", "--no-preserve-root"},
		{"rm -rf .", "rm -rf .", "on ."},
		{"rm -rf ..", "rm -rf ../..", "on ../.."},
		{"rm unresolved var", `rm -rf "$DIR"/`, "unresolved path"},
		{"rm tmp escape", "rm -rf /tmp/../etc", "on /tmp/../etc"},
		{"rm of system file", "rm /etc/passwd", "system file /etc/passwd"},
		// obfuscations of the command name
		{"empty quotes", "r''m -rf /", "rm -r -f on /"},
		{"backslash", `\rm -rf /`, "rm -r -f on /"},
		{"double quoted", `"rm" -rf /`, "rm -r -f on /"},
		{"absolute path", "/bin/rm -rf /", "rm -r -f on /"},
		{"which subst", "$(which rm) -rf /", "rm -r -f on /"},
		{"backtick subst", "`command -v rm` -rf /", "rm -r -f on /"},
		{"variable", "X=rm; $X -rf /", "rm -r -f on /"},
		{"variable with flags", `C="rm -rf"; $C /`, "rm -r -f on /"},
		{"default expansion", "${RM:-rm} -rf /", "rm -r -f on /"},
		{"ansi-c hex", `$'\x72\x6d' -rf /`, "rm -r -f on /"},
		{"brace expansion", "{rm,-rf,/}", "rm -r -f on /"},
		{"quoted flags", `rm "-rf" '/'`, "rm -r -f on /"},
		{"split flags quoted path", `rm -r -f "/"`, "rm -r -f on /"},
		// wrappers
		{"sudo -u root", "sudo -u root rm -rf /", "rm -r -f on /"},
		{"sudo long user", "sudo --user=root -E rm -rf /", "rm -r -f on /"},
		{"sudo -s", "sudo -s rm -rf /", "rm -r -f on /"},
		{"doas", "doas rm -rf /", "rm -r -f on /"},
		{"env -i", "env -i rm -rf /", "rm -r -f on /"},
		{"env assignments", "env A=1 B=2 rm -rf /", "rm -r -f on /"},
		{"env -S", "env -S 'rm -rf /'", "rm -r -f on /"},
		{"nested bash -c", `bash -c "bash -c 'rm -rf /'"`, "rm -r -f on /"},
		{"sh -c", "sh -c 'rm -rf /'", "rm -r -f on /"},
		{"bash -lc", "bash -lc 'rm -rf /'", "rm -r -f on /"},
		{"zsh -c", "zsh -c 'rm -rf ~'", "on ~"},
		{"xargs", "echo / | xargs rm -rf", "rm -r -f on /"},
		{"xargs unknown input", "cat dirs.txt | xargs rm -rf", "unresolved path"},
		{"xargs -I", "echo / | xargs -I{} rm -rf {}", "rm -r -f on /"},
		{"nohup", "nohup rm -rf / &", "rm -r -f on /"},
		{"timeout nice ionice", "timeout 10 nice -n 5 ionice -c3 rm -rf /etc", "on /etc"},
		{"stdbuf", "stdbuf -oL rm -rf /", "rm -r -f on /"},
		{"command", "command rm -rf /", "rm -r -f on /"},
		{"exec", "exec rm -rf /", "rm -r -f on /"},
		{"eval", `eval "rm -rf /"`, "rm -r -f on /"},
		{"ssh", "ssh prod-db 'rm -rf /var/lib/mysql'", "on /var/lib/mysql"},
		{"ssh with options", "ssh -p 2222 -i key.pem admin@host sudo rm -rf /", "rm -r -f on /"},
		{"kubectl exec", "kubectl exec -it api-0 -n prod -- rm -rf /data", "on /data"},
		{"docker exec", "docker exec -u root web rm -rf /", "rm -r -f on /"},
		{"su -c", "su - root -c 'rm -rf /'", "rm -r -f on /"},
		{"watch", "watch -n 1 rm -rf /", "rm -r -f on /"},
		{"busybox", "busybox rm -rf /", "rm -r -f on /"},
		{"find -delete", "find / -delete", "find -delete under /"},
		{"find -exec rm", `find / -exec rm -rf {} \;`, "rm -r -f on /"},
		{"find -exec +", "find /home -type f -exec rm {} +", ""},
		{"subshell", "(cd / && rm -rf *)", "on *"},
		{"if body", "if true; then rm -rf /; fi", "rm -r -f on /"},
		{"for body", "for d in a b; do rm -rf /etc; done", "on /etc"},
		{"while body", "while true; do rm -rf /; done", "rm -r -f on /"},
		{"function body", "f() { rm -rf /; }; f", "rm -r -f on /"},
		{"command substitution", "echo $(rm -rf /)", "rm -r -f on /"},
		{"process substitution", "cat <(rm -rf /)", "rm -r -f on /"},
		{"and list", "cd /tmp && rm -rf /", "rm -r -f on /"},
		{"or list", "false || rm -rf /", "rm -r -f on /"},
		{"pipeline", "yes | rm -rf /", "rm -r -f on /"},
		{"heredoc into bash", "bash <<EOF\nrm -rf /\nEOF", "rm -r -f on /"},
		{"herestring into sh", "sh <<< 'rm -rf /'", "rm -r -f on /"},
		{"echo into sh", "echo 'rm -rf /' | sh", "rm -r -f on /"},
		// disks and devices
		{"mkfs", "mkfs.ext4 /dev/sda1", "mkfs.ext4 on /dev/sda1"},
		{"mkfs -t", "mkfs -t xfs /dev/nvme0n1", "mkfs"},
		{"mke2fs", "mke2fs /dev/sdb", "mke2fs"},
		{"dd to disk", "dd if=/dev/zero of=/dev/sda bs=1M", "dd writes to device /dev/sda"},
		{"dd to nvme", "dd if=image.iso of=/dev/nvme0n1", "device /dev/nvme0n1"},
		{"wipefs", "wipefs -a /dev/sda", "wipefs"},
		{"shred device", "shred -n 1 /dev/sda", "shred of /dev/sda"},
		{"redirect to disk", "echo x > /dev/sda", "writes to device /dev/sda"},
		{"cat to disk", "cat /dev/urandom > /dev/sdb", "device /dev/sdb"},
		{"fdisk", "fdisk /dev/sda", "fdisk"},
		{"parted mklabel", "parted -s /dev/sda mklabel gpt", "parted"},
		{"sgdisk zap", "sgdisk --zap-all /dev/sda", "sgdisk"},
		// system files
		{"truncate passwd", "echo hi > /etc/passwd", "truncates system file /etc/passwd"},
		{"truncate with colon", ": > /etc/shadow", "/etc/shadow"},
		{"append sudoers", "echo 'x ALL=(ALL) NOPASSWD:ALL' >> /etc/sudoers", "modifies /etc/sudoers"},
		{"tee passwd", "echo x | sudo tee /etc/passwd", "tee truncates system file"},
		{"dd over system file", "dd if=/dev/zero of=/boot/vmlinuz", "overwrites system file"},
		// git
		{"push --force", "git push --force origin main", "git push --force"},
		{"push -f", "git push -f", "git push --force"},
		{"push -uf combined", "git push -uf origin main", "git push --force"},
		{"push force-with-lease", "git push --force-with-lease origin feature", "force-with-lease"},
		{"push +refspec", "git push origin +main", "(force)"},
		{"push delete", "git push origin --delete main", "--delete"},
		{"push :ref", "git push origin :main", "deletes a remote ref"},
		{"push mirror", "git push --mirror", "mirror"},
		{"git -C push -f", "git -C /repo push -f origin main", "git push --force"},
		{"git -c push -f", "git -c user.name=x push -f", "git push --force"},
		{"reset --hard", "git reset --hard origin/main", "reset --hard"},
		{"clean -fdx", "git clean -fdx", "git clean -f"},
		{"branch -D", "git branch -D feature", "git branch -D"},
		{"filter-branch", "git filter-branch --tree-filter 'rm x' HEAD", "rewrites history"},
		// kubernetes, IaC, containers, cloud
		{"kubectl delete ns", "kubectl delete namespace prod", "kubectl delete namespace prod"},
		{"kubectl delete --all", "kubectl delete pods --all -n prod", "--all"},
		{"kubectl delete -A", "kubectl delete deploy -A -l app=x", "kubectl delete"},
		{"kubectl delete node", "kubectl delete node worker-3", "node worker-3"},
		{"kubectl delete -f", "kubectl delete -f manifests/", "--filename"},
		{"kubectl drain", "kubectl drain worker-1 --ignore-daemonsets", "drain"},
		{"kubectl scale 0", "kubectl scale deploy/api --replicas=0", "replicas=0"},
		{"oc delete project", "oc delete project prod", "oc delete"},
		{"helm uninstall", "helm uninstall api -n prod", "helm uninstall"},
		{"terraform destroy", "terraform destroy -auto-approve", "terraform destroy"},
		{"terraform chdir destroy", "terraform -chdir=infra destroy", "terraform destroy"},
		{"terraform apply -destroy", "terraform apply -destroy", "apply -destroy"},
		{"tofu destroy", "tofu destroy", "tofu destroy"},
		{"terraform state rm", "terraform state rm aws_instance.x", "state rm"},
		{"pulumi destroy", "pulumi destroy --yes", "pulumi destroy"},
		{"docker system prune -a", "docker system prune -a -f", "system prune -a"},
		{"docker system prune --all", "docker system prune --all --force", "system prune --all"},
		{"docker volume prune", "docker volume prune -f", "volume prune"},
		{"podman prune volumes", "podman system prune --volumes", "system prune"},
		{"aws s3 rm recursive", "aws s3 rm s3://bucket --recursive", "aws s3 rm --recursive"},
		{"aws s3 rb", "aws s3 rb s3://bucket --force", "aws s3 rb"},
		{"aws s3 sync delete", "aws s3 sync ./empty s3://bucket --delete", "sync --delete"},
		{"aws terminate", "aws ec2 terminate-instances --instance-ids i-123", "aws ec2 terminate-instances"},
		{"aws region then delete", "aws --region us-east-1 rds delete-db-instance --db-instance-identifier x", "aws rds delete-db-instance"},
		{"aws dynamodb delete", "aws dynamodb delete-table --table-name t", "delete-table"},
		{"gcloud delete", "gcloud compute instances delete vm-1 --zone us-c1", "gcloud compute instances delete"},
		{"gcloud projects delete", "gcloud projects delete my-proj", "delete"},
		{"az group delete", "az group delete -n rg --yes", "az group delete"},
		{"heroku destroy", "heroku apps:destroy --app x --confirm x", "heroku apps:destroy"},
		{"gsutil rm -r", "gsutil -m rm -r gs://bucket", "gsutil rm -r"},
		// SQL carried by clients
		{"psql -c drop", "psql -c 'DROP DATABASE shop'", "psql: DROP DATABASE"},
		{"psql --command=", `psql "$DATABASE_URL" --command="TRUNCATE orders"`, "psql: TRUNCATE"},
		{"psql heredoc", "psql <<SQL\nDELETE FROM users;\nSQL", "psql: DELETE without a real WHERE"},
		{"echo into psql", "echo 'DROP TABLE t' | psql -h db", "psql: DROP TABLE"},
		{"mysql -e backticks", "mysql -u root -e 'DROP TABLE `users`'", "mysql: DROP TABLE"},
		{"mysql --execute", "mysql --execute='DELETE FROM users' app", "mysql: DELETE"},
		{"sqlite3", "sqlite3 app.db 'DROP TABLE users'", "sqlite3: DROP TABLE"},
		{"psql via bash -c", `bash -c "psql -c 'DROP DATABASE x'"`, "psql: DROP DATABASE"},
		{"psql via kubectl exec", "kubectl exec db-0 -- psql -c 'TRUNCATE t'", "psql: TRUNCATE"},
		{"redis flushall", "redis-cli -h cache FLUSHALL", "FLUSHALL"},
		// machine, processes, remote code
		{"shutdown", "shutdown -h now", "shutdown"},
		{"reboot", "sudo reboot", "reboot"},
		{"poweroff", "poweroff", "poweroff"},
		{"halt", "halt -f", "halt"},
		{"init 0", "init 0", "init 0"},
		{"systemctl reboot", "systemctl reboot", "systemctl reboot"},
		{"kill -9 -1", "kill -9 -1", "kill -1"},
		{"fork bomb", ":(){ :|:& };:", "fork bomb"},
		{"named fork bomb", "bomb() { bomb | bomb & }; bomb", "fork bomb"},
		{"curl | sh", "curl -fsSL https://get.example.sh | sh", "remote code"},
		{"wget | sudo bash", "wget -qO- https://x.example/i.sh | sudo bash", "remote code"},
		{"bash <(curl)", "bash <(curl -s https://x.example/i.sh)", "remote code"},
		{"sh -c $(curl)", `sh -c "$(curl -fsSL https://x.example/i.sh)"`, "remote code"},
		{"curl | python", "curl -s https://x.example/p.py | python3", "remote code"},
		{"chmod -R 777 /", "chmod -R 777 /", "chmod -R on /"},
		{"chown -R /", "chown -R nobody:nogroup /", "chown -R on /"},
		{"chmod recursive long", "chmod --recursive 000 /etc", "chmod -R on /etc"},
		{"mv home", "mv ~ /tmp/old", "mv of ~"},
		{"crontab -r", "crontab -r", "crontab -r"},
		{"rsync delete into /", "rsync -a --delete empty/ /", "rsync --delete"},
		{"unlink system file", "unlink /etc/passwd", "system file /etc/passwd"},
		{"chmod shadow", "chmod 777 /etc/shadow", "chmod on /etc/shadow"},
		{"wget | bash -s", "wget -O - https://x.example | bash -s -- --flag", "remote code piped into bash"},
		{"alias", "alias ll='rm -rf'; ll /", "rm -r -f on /"},
		{"$SHELL -c", `$SHELL -c 'rm -rf /'`, "rm -r -f on /"},
		{"base64 into sh", "echo cm0gLXJmIC8K | base64 -d | sh", "decoded code piped into sh"},
		{"eval decoded", `eval "$(echo cm0gLXJmIC8K | base64 --decode)"`, "decoded code run by eval"},
		{"find -exec rm under home", "find /home -name '*.log' -exec rm -f {} \\;", "find -exec rm under /home"},
		{"too deep", strings.Repeat("bash -c '", 1) + "eval eval eval eval eval eval eval eval eval eval rm -rf /'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.src)
			if r.ParseError != "" {
				t.Fatalf("Analyze(%q) parse error: %s", tt.src, r.ParseError)
			}
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

func TestAnalyzeBenign(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"grep drop table", "grep -r 'DROP TABLE' ."},
		{"echo rm into notes", "echo 'rm -rf /' > notes.txt"},
		{"printf rm into file", `printf '%s\n' "rm -rf /" >> todo.md`},
		{"ls var log", "ls -la /var/log"},
		{"git status", "git status"},
		{"git log", "git log --oneline -n 20"},
		{"git push", "git push origin feature"},
		{"git push -u", "git push -u origin feature"},
		{"git reset soft", "git reset --soft HEAD~1"},
		{"git clean dry run", "git clean -n -d"},
		{"git branch -d", "git branch -d merged-feature"},
		{"kubectl get pods", "kubectl get pods -n prod"},
		{"kubectl delete pod", "kubectl delete pod api-7d9f -n prod"},
		{"kubectl exec ls", "kubectl exec -it api-0 -- ls /data"},
		{"rm tmp file", "rm /tmp/build/out.o"},
		{"rm file", "rm file.txt"},
		{"rm -rf tmp dir", "rm -rf /tmp/build"},
		{"rm -rf var tmp", "rm -rf /var/tmp/cache-123"},
		{"rm -rf relative", "rm -rf ./build"},
		{"rm -rf node_modules", "rm -rf node_modules dist"},
		{"rm -rf tmpdir var", `rm -rf "$TMPDIR/work"`},
		{"rm -f relative", "rm -f *.o"},
		{"rm double dash file", "rm -- -rf"},
		{"cat head", "cat README.md | head -20"},
		{"du var log", "du -sh /var/log/*"},
		{"find print", "find / -name '*.conf' -print"},
		{"find delete relative", "find . -name '*.pyc' -delete"},
		{"find tmp exec rm", `find /tmp/build -name '*.o' -exec rm {} \;`},
		{"dd to file", "dd if=/dev/zero of=./disk.img bs=1M count=10"},
		{"dd to null", "dd if=/dev/sda of=/dev/null bs=1M count=1"},
		{"redirect to null", "make > /dev/null 2>&1"},
		{"redirect stderr", "cmd 2>&1 | tee build.log"},
		{"echo shutdown", "echo shutdown"},
		{"man mkfs", "man mkfs"},
		{"psql select", "psql -c 'SELECT count(*) FROM users'"},
		{"psql update bounded", `psql -c "UPDATE t SET a = 1 WHERE id = 3"`},
		{"sqlite3 tables", "sqlite3 app.db .tables"},
		{"mysql select", "mysql -e 'SELECT 1'"},
		{"terraform plan", "terraform plan -out plan.tfplan"},
		{"terraform plan destroy", "terraform plan -destroy"},
		{"docker prune dangling", "docker system prune -f"},
		{"docker ps", "docker ps -a"},
		{"aws s3 ls", "aws s3 ls s3://bucket --recursive"},
		{"aws s3 rm one object", "aws s3 rm s3://bucket/key.txt"},
		{"aws describe", "aws ec2 describe-instances --region us-east-1"},
		{"gcloud list", "gcloud compute instances list"},
		{"curl to file", "curl -fsSL https://x.example/i.sh -o install.sh"},
		{"curl pipe jq", "curl -s https://api.example/x | jq .name"},
		{"chmod file", "chmod 644 README.md"},
		{"chmod -R relative", "chmod -R u+w ./build"},
		{"sudo apt", "sudo apt-get install -y jq"},
		{"ssh uptime", "ssh host uptime"},
		{"bash script file", "bash ./deploy.sh"},
		{"bash -c echo", `bash -c "echo hello"`},
		{"xargs grep", "find . -name '*.go' | xargs grep -n TODO"},
		{"xargs rm relative", "find . -name '*.tmp' | xargs rm -f"},
		{"xargs rm -rf relative roots", "find ./build -type d -name cache | xargs rm -rf"},
		{"fdisk list", "sudo fdisk -l"},
		{"parted print", "parted /dev/sda print"},
		{"kill pid", "kill -9 1234"},
		{"shutdown cancel", "shutdown -c"},
		{"systemctl restart", "systemctl restart nginx"},
		{"redis get", "redis-cli GET key"},
		{"recursive fn not bomb", "f() { echo hi; }; f"},
		{"comment", "# rm -rf /\nls"},
		{"helm list", "helm list -A"},
		{"empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.src)
			if r.ParseError != "" {
				t.Fatalf("Analyze(%q) parse error: %s", tt.src, r.ParseError)
			}
			if r.Destructive {
				t.Errorf("Analyze(%q) destructive with %q, want benign", tt.src, r.Reasons)
			}
		})
	}
}

func TestFlagsNormalised(t *testing.T) {
	want := []string{"recursive", "force"}
	for _, src := range []string{
		"rm -rf x", "rm -r -f x", "rm -fr x", "rm --recursive --force x",
		"rm -R --force x", "rm x -rf", "rm -Rf x",
	} {
		t.Run(src, func(t *testing.T) {
			r := Analyze(src)
			if len(r.Commands) != 1 {
				t.Fatalf("got %d commands", len(r.Commands))
			}
			got := append([]string(nil), r.Commands[0].Flags...)
			if len(got) == 2 && got[0] == "force" {
				got[0], got[1] = got[1], got[0]
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("flags of %q = %q, want %q", src, r.Commands[0].Flags, want)
			}
		})
	}
	tests := []struct {
		src  string
		name string
		want []string
	}{
		{"git push -f origin main", "git", []string{"force"}},
		{"git push --force-with-lease", "git", []string{"force-with-lease"}},
		{"kubectl delete ns x -A", "kubectl", []string{"all-namespaces"}},
		{"chmod -R 777 x", "chmod", []string{"recursive"}},
		{"ls -la", "ls", []string{"l", "a"}},
		{"docker system prune -af", "docker", []string{"all", "force"}},
		{"terraform apply -destroy -auto-approve", "terraform", []string{"destroy", "auto-approve"}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := Analyze(tt.src)
			if len(r.Commands) == 0 || r.Commands[0].Name != tt.name {
				t.Fatalf("commands %+v", r.Commands)
			}
			if !reflect.DeepEqual(r.Commands[0].Flags, tt.want) {
				t.Errorf("flags = %q, want %q", r.Commands[0].Flags, tt.want)
			}
		})
	}
}

func TestCommandsAndVia(t *testing.T) {
	tests := []struct {
		src  string
		want []Command
	}{
		{"cat a | grep -v b && echo ok; ls", []Command{
			{Name: "cat", Argv: []string{"cat", "a"}},
			{Name: "grep", Argv: []string{"grep", "-v", "b"}, Flags: []string{"v"}},
			{Name: "echo", Argv: []string{"echo", "ok"}},
			{Name: "ls", Argv: []string{"ls"}},
		}},
		{`sudo -u root env FOO=1 bash -c 'rm -rf "/x y"'`, []Command{
			{Name: "sudo", Argv: []string{"sudo", "-u", "root", "env", "FOO=1", "bash", "-c", `rm -rf "/x y"`}, Flags: []string{"user"}},
			{Name: "env", Argv: []string{"env", "FOO=1", "bash", "-c", `rm -rf "/x y"`}, Via: []string{"sudo"}},
			{Name: "bash", Argv: []string{"bash", "-c", `rm -rf "/x y"`}, Flags: []string{"command"}, Via: []string{"sudo", "env"}},
			{Name: "rm", Argv: []string{"rm", "-rf", "/x y"}, Flags: []string{"recursive", "force"}, Via: []string{"sudo", "env", "bash -c"}},
		}},
		{"V=$(date); echo \"$V\"", []Command{
			{Name: "date", Argv: []string{"date"}},
			{Name: "echo", Argv: []string{"echo", "$V"}},
		}},
		{"$CMD arg", []Command{{Name: "$CMD", Argv: []string{"$CMD", "arg"}, Dynamic: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			r := Analyze(tt.src)
			if len(r.Commands) != len(tt.want) {
				t.Fatalf("got %d commands %+v, want %d", len(r.Commands), r.Commands, len(tt.want))
			}
			for i, got := range r.Commands {
				w := tt.want[i]
				if len(got.Flags) == 0 && len(w.Flags) == 0 {
					got.Flags, w.Flags = nil, nil
				}
				if len(got.Via) == 0 && len(w.Via) == 0 {
					got.Via, w.Via = nil, nil
				}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("command %d = %+v, want %+v", i, got, w)
				}
			}
		})
	}
}

func TestEmbedded(t *testing.T) {
	r := Analyze(`psql -c "DELETE FROM users WHERE id = 1" -c 'DROP TABLE x'; kubectl exec p -- ls /`)
	if len(r.Embedded) != 3 {
		t.Fatalf("embedded = %+v, want 3", r.Embedded)
	}
	if e := r.Embedded[0]; e.Kind != "sql" || e.Text != "DELETE FROM users WHERE id = 1" || e.SQL.Destructive {
		t.Errorf("embedded[0] = %+v", e)
	}
	if e := r.Embedded[1]; e.Kind != "sql" || !e.SQL.Destructive {
		t.Errorf("embedded[1] = %+v", e)
	}
	if e := r.Embedded[2]; e.Kind != "k8s-exec" || e.Text != "ls /" {
		t.Errorf("embedded[2] = %+v", e)
	}
	bad := Analyze("mysql -e 'SELEC oops'")
	if len(bad.Embedded) != 1 || bad.Embedded[0].SQL.ParseError == "" || bad.Destructive {
		t.Errorf("unparsable embedded SQL: %+v", bad)
	}
}

func TestAnalyzeArgv(t *testing.T) {
	tests := []struct {
		argv        []string
		destructive bool
		commands    int
	}{
		{[]string{"bash", "-c", "rm -rf /"}, true, 2},
		{[]string{"rm", "-rf", "/"}, true, 1},
		{[]string{"rm", "-rf", "/tmp/x"}, false, 1},
		{[]string{"ls", "-la", "/var/log"}, false, 1},
		// argv words are not shell: a semicolon is an ordinary argument to echo.
		{[]string{"echo", "x; rm -rf /"}, false, 1},
		{[]string{"sudo", "rm", "-rf", "/etc"}, true, 2},
		{[]string{"psql", "-c", "TRUNCATE orders"}, true, 1},
		{[]string{}, false, 0},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.argv, " "), func(t *testing.T) {
			r := AnalyzeArgv(tt.argv)
			if r.Destructive != tt.destructive || len(r.Commands) != tt.commands {
				t.Errorf("AnalyzeArgv(%q) = destructive %v with %d commands (%q), want %v and %d",
					tt.argv, r.Destructive, len(r.Commands), r.Reasons, tt.destructive, tt.commands)
			}
		})
	}
}

func TestMap(t *testing.T) {
	m := Analyze("sudo rm -rf /").Map()
	want := map[string]any{
		"commands": []any{
			map[string]any{
				"name": "sudo", "argv": []any{"sudo", "rm", "-rf", "/"}, "flags": []any{},
				"via": []any{}, "dynamic": false,
			},
			map[string]any{
				"name": "rm", "argv": []any{"rm", "-rf", "/"}, "flags": []any{"recursive", "force"},
				"via": []any{"sudo"}, "dynamic": false,
			},
		},
		"destructive":   true,
		"reasons":       []any{"rm -r -f on /"},
		"parse_error":   "",
		"embedded":      []any{},
		"http_requests": []any{},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Map() = %#v\nwant %#v", m, want)
	}
	e := Analyze("psql -c 'DROP TABLE x'").Map()["embedded"].([]any)
	if len(e) != 1 || e[0].(map[string]any)["sql"].(map[string]any)["destructive"] != true {
		t.Errorf("embedded map = %#v", e)
	}
}

func TestParseErrorsAndLimits(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"unclosed quote", "rm -rf '/"},
		{"unclosed subshell", "(rm -rf /"},
		{"bad if", "if then fi"},
		{"oversized", strings.Repeat("echo x; ", MaxInputBytes/8+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.src)
			if r.ParseError == "" {
				t.Fatalf("no parse error; commands %d", len(r.Commands))
			}
			if r.Destructive {
				t.Errorf("parse error must leave Destructive=false, reasons %q", r.Reasons)
			}
		})
	}
	many := strings.Repeat("a;", maxCommands+10)
	r := Analyze(many)
	if len(r.Commands) != maxCommands || r.ParseError == "" {
		t.Errorf("command budget: %d commands, error %q", len(r.Commands), r.ParseError)
	}
	// A brace bomb is capped, not expanded.
	r = Analyze("echo {1..100000}{1..100000}")
	if len(r.Commands) != 1 || len(r.Commands[0].Argv) > maxBraceWords+1 {
		t.Errorf("brace expansion not bounded: %d words", len(r.Commands[0].Argv))
	}
}
