package redact

import "bytes"

// API keys that publishing and tracking tools take as an argument rather
// than a `--password`: `wandb login KEY` (Weights & Biases, the key is the
// first argument), `Publish-Module -NuGetApiKey KEY` and `Publish-Script
// -NuGetApiKey KEY` (PowerShell Gallery), `nuget push pkg.nupkg -ApiKey KEY`
// and `dotnet nuget push … --api-key KEY` / `-k KEY`. A variable (`$env:KEY`,
// `$WANDB_API_KEY`) is where the key is, not the key, and stays.

const toolKeyMaxLen = 400

func toolKeyRules() []*rule {
	return []*rule{
		custom("tool-argument-key", Secret, toolKeyMaxLen, matchToolKey, "wandb login", "nugetapikey", "nuget push"),
	}
}

// matchToolKey reads the key argument after the command or flag at b[ks:ke].
func matchToolKey(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := string(bytes.ToLower(b[ks:ke]))
	if ks > 0 && isWordByte(b[ks-1]) && kw != "nugetapikey" || ke < len(b) && isWordByte(b[ke]) {
		return -1, -1, -1
	}
	var i int
	switch kw {
	case "nugetapikey":
		if ks == 0 || b[ks-1] != '-' {
			return -1, -1, -1
		}
		i = ke
	case "wandb login":
		i = ke
		for { // options before the key: `wandb login --relogin KEY`
			j := skipSpaces(b, i, 8)
			if j >= len(b) {
				return -1, -1, ks
			}
			if b[j] != '-' {
				break
			}
			for j < len(b) && b[j] > ' ' {
				j++
			}
			i = j
		}
	default: // nuget push: the key flag later on the line
		eol := bytes.IndexByte(b[ke:min(len(b), ke+toolKeyMaxLen)], '\n')
		if eol < 0 {
			if len(b)-ke < toolKeyMaxLen {
				return -1, -1, ks
			}
			eol = toolKeyMaxLen
		}
		line := bytes.ToLower(b[ke : ke+eol])
		j := -1
		for _, f := range []string{" -apikey ", " --api-key ", " -k "} {
			if j = bytes.Index(line, []byte(f)); j >= 0 {
				i = ke + j + len(f) - 1
				break
			}
		}
		if j < 0 {
			return -1, -1, -1
		}
	}
	if i >= len(b) || b[i] != ' ' && b[i] != '\t' {
		return -1, -1, pendIfNear(b, ks, toolKeyMaxLen)
	}
	s, e, open := wordValue(b, skipSpaces(b, i, 8))
	if open {
		return -1, -1, pendIfNear(b, ks, toolKeyMaxLen)
	}
	if s < 0 || e-s < 20 || !plausibleCLIPassword(b[s:e]) || shannon(b[s:e]) < 3 {
		return -1, -1, -1
	}
	return s, e, -1
}
