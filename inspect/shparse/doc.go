// Package shparse tells warden's policies what a shell command line means: every command it
// runs, with quotes resolved, wrappers peeled and flags normalised, and whether running it can
// destroy data, machines or infrastructure.
//
// # Parsing
//
// Text is parsed as bash by mvdan.cc/sh/v3/syntax. Every simple command is found wherever it sits:
// pipelines, && || ; lists, subshells, { } groups, if/for/while/case bodies, function bodies,
// command substitutions $(…) and `…`, and process substitutions <(…). Words are resolved where
// static: quotes (”, "", $'…' with its escapes), backslashes (\rm), brace expansion ({rm,-rf,/}),
// variables assigned earlier in the same text (X=rm; $X), ${X:-default}, and command
// substitutions whose output is static ($(which rm), $(echo rm)). Other expansions stay as written
// ("$DIR", "$(…)") and mark the word dynamic; a dynamic command name sets Command.Dynamic.
// $HOME, ~, $TMPDIR and $PWD keep their meaning for path rules without a value.
//
// # Wrappers
//
// Wrappers are peeled recursively and named in Command.Via: sudo/doas (with their options;
// sudo -s/-i runs its arguments through a shell), env (-i, -u, -C, -S STRING, NAME=VALUE), nohup,
// setsid, timeout, nice, ionice, chrt, taskset, stdbuf, flock (-c), chroot, command (not -v),
// exec, time, systemd-run, busybox, watch, su/runuser -c, xargs (the command gets the paths the
// pipe's producer lists — find ROOT, echo PATH — or an unknown path), eval, sh/bash/zsh/dash/ksh
// -c (the string is parsed), shells reading a here-document, here-string or echo'd text on
// stdin, ssh HOST CMD (the remote words are parsed as the remote shell would), find -exec/-execdir/
// -ok (with {} replaced by an entry below the search root: the matched entries, not the root),
// kubectl exec … -- CMD and docker exec CONTAINER CMD; schedulers and detachers run their command
// as if now: at/batch (stdin), crontab - (each job line), screen, screen -X stuff, tmux
// new-session/send-keys/run-shell, parallel (::: arguments or stdin), script -c, nsenter, unshare,
// npx/bunx, microk8s/k3s.
// An argv array (AnalyzeArgv) is taken as exec(2) would: no word is re-parsed unless a wrapper
// hands it to a shell.
//
// # Flags
//
// Options are parsed per command (which short options take values, GNU option permutation, "--"
// ending options) and normalised to long names where the command matters: rm -rf = rm -r -f =
// rm -fr = rm --recursive --force → [recursive force]; also cp, mv, chmod, chown, shred, git (and
// push, clean, branch, reset, checkout), kubectl, terraform (single-dash long options), docker,
// gsutil, helm, the wrappers and the SQL clients. Other commands keep each short letter.
//
// # Destructive classes
//
//   - Recursive deletion (rm -r, srm, find -delete, find -exec rm, rsync --delete into a
//     target) of anything but a temporary directory's contents (/tmp/x, /var/tmp/x, /dev/shm/x,
//     $TMPDIR/x) or a relative path inside the working directory. So /, /*, ~, ~/anything, $HOME,
//     system directories and any other absolute path are destructive, as are ".", "..", "*" and
//     paths that start with a variable warden cannot resolve (rm -rf "$DIR"/ fails closed).
//     rm --no-preserve-root always. Non-recursive rm of files in system directories.
//   - Disks: mkfs*, mke2fs, mkswap, wipefs, blkdiscard, dd of=/dev/…, shred of devices, writes or
//     redirections to block devices, fdisk/sfdisk/gdisk/sgdisk/cfdisk/parted unless only listing.
//   - System files: output redirections (>, >|, &>) and tee/cp/mv/dd/truncate into the root or
//     system directories (/etc, /boot, /usr, /bin, /sbin, /lib*, /var/lib, /root, /opt, /srv…);
//     appends to privilege files (/etc/sudoers, passwd, shadow, crontab, authorized_keys).
//   - Permissions: chmod/chown/chgrp -R on the root, home or system directories.
//   - git push --force/-f/--force-with-lease/--force-if-includes/--mirror/--delete, +refspec and
//     :ref; git reset --hard and git clean -f (both destroy uncommitted work beyond recovery, so
//     they are treated as destructive even though they are local); git branch -D;
//     git filter-branch/filter-repo.
//   - kubectl/oc delete (except a single named pod, job or event), with --all, -A, selectors or -f;
//     kubectl drain; scale --replicas=0; replace --force; helm uninstall.
//   - terraform/tofu/terragrunt destroy, apply -destroy, state rm/push, workspace delete;
//     pulumi destroy / stack rm.
//   - docker/podman system prune -a or --volumes, volume prune/rm.
//   - aws s3 rm --recursive, s3 rb, s3 sync/mv --delete, any delete-*/terminate-*/deregister-*/
//     remove-*/purge-* operation; gcloud/az/doctl/heroku/fly/… command paths containing delete,
//     destroy, terminate, purge, remove, rm, wipe or reset; gsutil rm -r and rb.
//   - SQL carried by psql -c/--command, mysql/mariadb -e, sqlite3 DB SQL, duckdb, clickhouse-client
//     -q, cockroach sql -e, snowsql -q, usql, trino/presto --execute, bq query, sqlcmd -Q, cqlsh -e,
//     or piped/here-doc'ed into them: analysed by sqlparse in the client's dialect (MySQL by
//     vitess's grammar, BigQuery/Snowflake/T-SQL/ClickHouse/Trino lexically) and reported in
//     Embedded; destructive SQL makes the command destructive. SQL that is not understood is kept
//     with SQL.ParseError set and is not destructive by itself. mongosh/mongo --eval scripts that
//     drop or delete with an empty filter are destructive.
//   - The CLI catalogue (catalogue.go, data, not code): cloud CLIs (aws delete-*/terminate-*/
//     schedule-key-deletion/stop-logging..., gcloud/az/doctl/... delete|destroy|purge...), gh,
//     vault, etcdctl, consul, helm, helmfile, terraform/tofu/terragrunt/pulumi/cdk destroy,
//     docker/podman volume and compose down -v, dropdb, mysqladmin drop, redis-cli FLUSHALL,
//     prisma migrate reset, rails db:drop ... Dry runs (--dry-run[=client|server], --dryrun,
//     --preview-only, --what-if) and --help are never destructive; kubectl --dry-run=none is real.
//   - Interpreter one-liners (python -c, perl -e, ruby -e, node -e/-p, deno eval, php -r, lua -e,
//     awk programs, and code piped or here-doc'ed into them): destructive library calls
//     (shutil.rmtree, os.remove, fs.rmSync with recursive, FileUtils.rm_rf, File::Path rmtree ...)
//     are judged as rm -r / rm of their path; shell-outs (os.system, subprocess, child_process,
//     system, backticks, qx, %x) are parsed as shell; computed strings keep their literal parts and
//     an unknown part; eval of computed code is a dynamic command.
//   - git -c alias.NAME=... (inline aliases) and git -c core.sshCommand/pager/editor=...: the
//     alias or command runs as it would. docker run with the host's /, system directories or the
//     runtime socket mounted. PowerShell (-Command) and cmd /c: Remove-Item -Recurse and rd /s on
//     absolute paths, Format-Volume, Clear-Disk; -EncodedCommand fails closed.
//   - HTTP requests sent by curl, wget, httpie (http/https/xh) and gh api are recorded in
//     Result.HTTP (method, URL, headers, body, with each tool's defaults) for inspect to judge as
//     the same request through the gateway.
//   - redis-cli FLUSHALL/FLUSHDB; crontab -r.
//   - shutdown/reboot/halt/poweroff (not shutdown -c), init/telinit 0|6, systemctl
//     poweroff/reboot/halt/kexec/rescue/emergency; kill -1 (every process); killall5.
//   - Fork bombs: a function that runs itself in a pipe or in the background.
//   - Remote code execution: downloaded code (curl, wget, …) piped into a shell or interpreter,
//     bash <(curl …), sh -c "$(curl …)", source <(curl …). warden cannot see that code, so it is
//     classified destructive (fail closed) with a reason that says "remote code".
//
// Benign look-alikes stay benign because only executed commands are judged: grep -r 'DROP TABLE',
// echo 'rm -rf /' > notes.txt, comments, and arguments that are data.
//
// Code warden cannot see (script files run by path, functions called with arguments) is not
// analysed; a dynamic command name ($CMD args) is recorded with Dynamic set and is not
// destructive by itself — policies may refuse dynamic commands.
//
// # Limits
//
// Input over MaxInputBytes (64 KiB) is not parsed (ParseError). At most maxCommands (4096)
// commands are recorded; past that ParseError is set. Nested interpretation (bash -c inside ssh
// inside sudo …) is followed 8 levels deep; deeper nesting is reported destructive. Brace
// expansion yields at most 64 words per word. Analyze never panics and is safe for concurrent use.
// Unparsable text sets ParseError with Destructive false; the policy decides (the default pack
// fails closed on endpoints that execute commands).
package shparse
