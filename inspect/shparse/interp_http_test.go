package shparse

import (
	"strings"
	"testing"
)

// TestCodeHTTPRequests: HTTP writes sent from interpreter code are recorded as requests for
// inspect to judge; reads record nothing; a DELETE (or a method) computed at run time by an HTTP
// library is flagged, while the same method name on a variable that may be any client is not.
func TestCodeHTTPRequests(t *testing.T) {
	tests := []struct {
		name, src   string
		method, url string // the one request recorded ("" for none)
		flag        string // a reason that must be given ("" for not destructive)
	}{
		{
			"requests.delete", `python3 -c "import requests; requests.delete('https://api.example.com/v1/db/prod')"`,
			"DELETE", "https://api.example.com/v1/db/prod", "",
		},
		{
			"requests.request", `python3 -c "import requests; requests.request('DELETE', 'https://api.example.com/x')"`,
			"DELETE", "https://api.example.com/x", "",
		},
		{
			"httpx.put", `python3 -c "import httpx; httpx.put('https://api.example.com/x', json={})"`,
			"PUT", "https://api.example.com/x", "",
		},
		{
			"fetch DELETE", `node -e "fetch('https://api.example.com/x', {method: 'DELETE'})"`,
			"DELETE", "https://api.example.com/x", "",
		},
		{"axios.delete", `node -e "axios.delete('https://api.example.com/x')"`, "DELETE", "https://api.example.com/x", ""},
		{"requests.get", `python3 -c "import requests; print(requests.get('https://api.example.com/x').text)"`, "", "", ""},
		{"fetch GET", `node -e "fetch('https://api.example.com/x').then(r => r.json())"`, "", "", ""},
		{
			"fetch options built elsewhere", `node -e "const opts = {method: 'DELETE', headers: h}; fetch('https://api.example.com/x', opts)"`,
			"DELETE", "https://api.example.com/x", "",
		},
		{
			"fetch GET with options", `node -e "const opts = {headers: {Accept: 'application/json'}}; fetch('https://api.example.com/x', opts).then(r => r.json())"`,
			"", "", "",
		},
		{"dynamic DELETE", `python3 -c "import requests; requests.delete(base + '/x')"`, "", "", "URL computed at run time"},
		{"dynamic method", `python3 -c "import requests; requests.request(m, 'https://api.example.com/x')"`, "", "", "method is computed at run time"},
		{
			"f-string id", `python3 -c "import requests; requests.delete(f'https://api.example.com/v1/items/{item_id}')"`,
			"DELETE", "https://api.example.com/v1/items/" + runtimePlaceholder, "",
		},
		{
			"f-string repository", `python3 -c "import requests; requests.delete(f'https://api.github.com/repos/{org}/{repo}')"`,
			"DELETE", "https://api.github.com/repos/" + runtimePlaceholder + "/" + runtimePlaceholder, "",
		},
		{
			"template literal id", "node -e 'axios.delete(`https://api.example.com/items/${id}`)'",
			"DELETE", "https://api.example.com/items/" + runtimePlaceholder, "",
		},
		{"f-string host", `python3 -c "import requests; requests.delete(f'https://{host}/v1/items/1')"`, "", "", "URL computed at run time"},
		{
			"f-string resource type", `python3 -c "import requests; requests.delete(f'https://api.example.com/v1/{kind}/{name}')"`,
			"", "", "URL computed at run time",
		},
		{"redis client delete", `python3 -c "client.delete(key)"`, "", "", ""},
		{"redis client delete literal", `python3 -c "client.delete('session:1')"`, "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Analyze(tt.src)
			switch {
			case tt.method == "" && len(r.HTTP) > 0:
				t.Errorf("recorded %+v, want no request", r.HTTP)
			case tt.method != "" && (len(r.HTTP) != 1 || r.HTTP[0].Method != tt.method || r.HTTP[0].URL != tt.url):
				t.Errorf("recorded %+v, want %s %s", r.HTTP, tt.method, tt.url)
			case tt.flag == "" && r.Destructive:
				t.Errorf("destructive (%q), want not", r.Reasons)
			case tt.flag != "" && (!r.Destructive || !strings.Contains(strings.Join(r.Reasons, ";"), tt.flag)):
				t.Errorf("reasons %q, want one containing %q", r.Reasons, tt.flag)
			}
		})
	}
}
