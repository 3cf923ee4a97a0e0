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
// -ok (with {} replaced by the search root), kubectl exec … -- CMD and docker exec CONTAINER CMD.
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
//     -q, cockroach sql -e, snowsql -q, usql, trino/presto --execute, bq query, or piped/here-doc'ed
//     into them: analysed by sqlparse and reported in Embedded; destructive SQL makes the command
//     destructive. MySQL `identifiers` are rewritten as "identifiers" before parsing. SQL that
//     does not parse is kept with SQL.ParseError set and is not destructive by itself.
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
// Code warden cannot see (script files run by path, python -c, functions called with arguments)
// is not analysed; a dynamic command name ($CMD args) is recorded with Dynamic set and is not
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
