package redact_test

import "testing"

func TestKeystorePasswordFlags(t *testing.T) {
	checkFx7(t, []fx7Case{
		{
			"keytool both store passwords on one line",
			"keytool -importkeystore -srckeystore a.p12 -srcstorepass Src0Pass9q -destkeystore b.jks -deststorepass Dst7Word2z -noprompt\n",
			[]string{"Src0Pass9q", "Dst7Word2z"},
		},
		{
			"keytool key passwords",
			"keytool -importkeystore -srckeypass 'Kq8 pw!x' -destkeypass Zt5mR2wQ -alias api\n",
			[]string{"Kq8 pw!x", "Zt5mR2wQ"},
		},
		{
			"jarsigner store and key password",
			"jarsigner -keystore release.jks -storepass Hn3vLq8x -keypass Pw9rTz4m app.apk release\n",
			[]string{"Hn3vLq8x", "Pw9rTz4m"},
		},
		{
			"maven jarsigner plugin properties",
			"mvn -B package -Djarsigner.storepass=Mv6xQp2w -Djarsigner.keypass=Kk4yTr8e\n",
			[]string{"Mv6xQp2w", "Kk4yTr8e"},
		},
		{
			"argv array",
			`["jarsigner", "-storepass", "Ar9gvPw3x", "app.jar", "signer"]` + "\n",
			[]string{"Ar9gvPw3x"},
		},
		{
			"env and file indirection kept",
			"keytool -list -keystore api.jks -storepass:env KS_PASS\njarsigner -storepass:file /run/secrets/kp app.jar signer\n", nil,
		},
		{
			"prose and storepasswd kept",
			"Run keytool -storepasswd to change it; the storepass option is documented.\n", nil,
		},
		{
			"variable reference kept",
			"jarsigner -storepass $KS_PASS -keypass ${KEY_PASS} app.jar signer\n", nil,
		},
	})
}

func TestAzureAccountKeys(t *testing.T) {
	const key = "djJwAoC6Ox8bFda6eXWNQkwl3VTyk5DZNh64s73Q+W5i0eaXi2lcMCvkdnLlcqtwfs86ZfKWPBZqFJNXkuRJMQ=="
	const esc = `MNcBUVflWOaI6RbtvPq\/nxvPaweACyfIE5SA+uXLmQMvEvx69pji9m7v33qZpsJpylvYxzIpzaxeIUjw7KdOCg==`
	checkFx7(t, []fx7Case{
		{
			"hadoop account key conf",
			"spark-submit --conf spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net=" + key + " job.py\n",
			[]string{key[:40], key[40:]},
		},
		{
			"ARM output beside a PrimaryKey name, JSON-escaped in a log",
			`out={"cosmosPrimaryKey": {"type": "String", "value": "` + esc + `"}}` + "\n",
			[]string{esc[:40], esc[40:]},
		},
		{
			"storage_key in an env file",
			"AZURE_STORAGE_KEY=" + key + "\n",
			[]string{key[:40], key[40:]},
		},
		{
			"sha512 integrity of an azure package kept",
			`"node_modules/@azure/cosmos": {"integrity": "sha512-` + key + `"}` + "\n", nil,
		},
		{
			"a digest without an azure name kept",
			"checksum: " + key + "\n", nil,
		},
		{
			"key name then a short value kept",
			`"primaryKey": "id", "cosmos": "dGVzdA=="` + "\n", nil,
		},
	})
}

func TestAPIKeyHeaders(t *testing.T) {
	const hex = "9ec8e7b6424226fcba8536f9b9a89f58"
	const fn = "JgYdJMsyOLYlbjdlHPnaTJazlizfzO1R0ySwy5DEpe5id13didlWPD"
	checkFx7(t, []fx7Case{
		{
			"httpcore bytes tuple",
			"headers=[(b'host', b'aoai.openai.azure.com'), (b'api-key', b'" + hex + "'), (b'content-type', b'application/json')]\n",
			[]string{hex},
		},
		{
			"curl APIM subscription key",
			`curl -H "Ocp-Apim-Subscription-Key: ` + hex + `" https://contoso.azure-api.net/orders` + "\n",
			[]string{hex},
		},
		{
			"header map",
			`{"headers": {"api-key": "` + hex + `"}}` + "\n",
			[]string{hex},
		},
		{
			"functions key percent-encoded",
			"x-functions-key=" + fn + "%3D%3D\n",
			[]string{fn},
		},
		{
			"header named in prose kept",
			"Send the api-key header with every request; the subscription-key is in the portal.\n", nil,
		},
		{
			"placeholder kept",
			`{"api-key": "00000000000000000000000000000000"}` + "\n", nil,
		},
		{
			"a longer name kept",
			`api-key-id: ` + hex + "\n", nil,
		},
	})
}

func TestToolAPIKeyArguments(t *testing.T) {
	const wb = "acefbe63f27110c38579c2f242f5acc5c3b95560"
	const uuid = "983c1954-1d19-4428-bb8b-a11decae21e7"
	const ng = "oy2kq3vmzt7xw5r2n8c4plf6hbj9sda1eug0yqie3o5tk"
	checkFx7(t, []fx7Case{
		{"wandb login in a docker history", "4f1c2b9a7e3d   2 days ago   RUN /bin/sh -c wandb login " + wb + " && python train.py   1.2GB\n", []string{wb}},
		{"wandb login with an option", "wandb login --relogin " + wb + "\n", []string{wb}},
		{"PowerShell Gallery publish", `PS C:\repo> Publish-Module -Path .\Ops -NuGetApiKey ` + uuid + " -Verbose\n", []string{uuid}},
		{"nuget push ApiKey", "nuget push Contoso.Core.2.1.0.nupkg -ApiKey " + ng + " -Source https://api.nuget.org/v3/index.json\n", []string{ng}},
		{"dotnet nuget push api-key", "dotnet nuget push out/*.nupkg --api-key " + ng + " --source nuget.org\n", []string{ng}},
		{"variables kept", "wandb login $WANDB_API_KEY\nPublish-Module -Path .\\Ops -NuGetApiKey $env:PSGALLERY_KEY\nnuget push a.nupkg -ApiKey %NUGET_KEY%\n", nil},
		{"prose kept", "Run wandb login once per machine; nuget push needs -ApiKey set.\n", nil},
	})
}

func TestPagerDutyIntegrationKeys(t *testing.T) {
	const k = "2c7c6f3d6cbefbf3350b35d20536e2aa"
	checkFx7(t, []fx7Case{
		{
			"alertmanager config escaped in a log line",
			`msg="Loading configuration" receivers=[{\"name\": \"sre\", \"pagerduty_configs\": [{\"routing_key\": \"` + k + `\", \"url\": \"https:\/\/events.pagerduty.com\/v2\/enqueue\"}]}]` + "\n",
			[]string{k},
		},
		{"alertmanager yaml", "receivers:\n- name: sre\n  pagerduty_configs:\n  - service_key: " + k + "\n", []string{k}},
		{"events API body", `curl -X POST https://events.pagerduty.com/v2/enqueue -d '{"routing_key": "` + k + `", "event_action": "trigger"}'` + "\n", []string{k}},
		{"broker routing key kept", `channel.basic_publish(exchange="orders", routing_key="` + k + `")` + "\n", nil},
		{"placeholder kept", "pagerduty_configs:\n  - routing_key: 00000000000000000000000000000000\n", nil},
	})
}

func TestAppleAppSpecificPasswords(t *testing.T) {
	const p = "tqvl-zbcm-zufd-yezc"
	checkFx7(t, []fx7Case{
		{"fastlane env file", "FASTLANE_USER=ios@contoso.example\nFASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD=" + p + "\n", []string{p}},
		{"yaml", "apple:\n  app_specific_password: \"" + p + "\"\n", []string{p}},
		{"json", `{"appSpecificPassword": "` + p + `"}` + "\n", []string{p}},
		{"placeholder kept", "FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD=xxxx-xxxx-xxxx-xxxx\n", nil},
		{"prose kept", "Create an app-specific password at appleid.apple.com.\n", nil},
	})
}

func TestFx9PublicIdentifiersKept(t *testing.T) {
	checkFx7(t, []fx7Case{
		{"certificate thumbprint kept", `{"CertificateThumbprint": "9F3A6C2B1D0E8F7A6B5C4D3E2F1A0B9C8D7E6F5A"}` + "\n", nil},
		{"pagerduty incident key kept", `{"incident_key": "c4b1f0e2a9d84f3b8e7a6d5c4b3a2f1e", "html_url": "https://contoso.pagerduty.com/incidents/Q1"}` + "\n", nil},
		{
			"a secret beside them still redacted",
			`{"CertificateThumbprint": "9F3A6C2B1D0E8F7A6B5C4D3E2F1A0B9C8D7E6F5A", "ClientSecret": "Qx8~vT2rLm9.Zp4WnB7cY1dF6gH3jK5sA0eU"}` + "\n",
			[]string{"Qx8~vT2rLm9.Zp4WnB7cY1dF6gH3jK5sA0eU"},
		},
	})
}

func TestTokenReplacementVariablesKept(t *testing.T) {
	checkFx7(t, []fx7Case{
		{
			"web.config with #{Var}# tokens kept",
			`<add key="PaymentApiKey" value="#{PaymentApiKey}#" />` + "\n" + `Server=#{SqlServer}#;User Id=#{SqlUser}#;Password=#{SqlPassword}#;` + "\n", nil,
		},
		{
			"a real key beside a token still redacted",
			`<add key="PaymentApiKey" value="#{PaymentApiKey}#" />` + "\n" + `<add key="LedgerApiKey" value="Lg7qK2vX9mZ4wR8tY3pN6bC1" />` + "\n",
			[]string{"Lg7qK2vX9mZ4wR8tY3pN6bC1"},
		},
		{
			"a password that only starts like a token still redacted",
			`<add key="AdminPassword" value="#{x}q9Lm2Vz7Rt4" />` + "\n",
			[]string{"q9Lm2Vz7Rt4"},
		},
	})
}

func TestDatadogClientTokenKept(t *testing.T) {
	const tok = "pub2aefadd92b7c19a28e6df641dd0a9a98"
	const apiKey = "7d3f1a9c2b8e4f6a0c5d9e1b3a7f2c4e"
	checkFx7(t, []fx7Case{
		{"RUM init kept", "datadogRum.init({\n  applicationId: '5b1f38e9-9caa-4e36-8a43-0691f55b7754',\n  clientToken: '" + tok + "',\n  site: 'datadoghq.eu',\n});\n", nil},
		{"DD_CLIENT_TOKEN env kept", "DD_CLIENT_TOKEN=" + tok + "\n", nil},
		{
			"API key beside it still redacted",
			"datadogRum.init({ clientToken: '" + tok + "' });\nDD_API_KEY=" + apiKey + "\n",
			[]string{apiKey},
		},
		{"the same shape without Datadog redacted", "const clientToken = 'pub" + apiKey + "';\n", []string{apiKey}},
	})
}

func TestDatadogClientTokenKeptInJSON(t *testing.T) {
	eng := engine(t)
	kept := `{"datadog": {"clientToken": "pub2aefadd92b7c19a28e6df641dd0a9a98", "site": "datadoghq.eu"}}`
	if out, _, err := eng.RedactJSON([]byte(kept), secretsOnly); err != nil || string(out) != kept {
		t.Errorf("client token in a Datadog object changed: %s %v", out, err)
	}
	const apiKey = "7d3f1a9c2b8e4f6a0c5d9e1b3a7f2c4e"
	mixed := `{"datadog": {"clientToken": "pub2aefadd92b7c19a28e6df641dd0a9a98", "apiKey": "` + apiKey + `"}}`
	out, _, err := eng.RedactJSON([]byte(mixed), secretsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := leak(out, apiKey); ok {
		t.Errorf("API key beside a client token: %q survives: %s", w, out)
	}
	other := `{"clientToken": "pub` + apiKey + `"}`
	if out, _, _ := eng.RedactJSON([]byte(other), secretsOnly); string(out) == other {
		t.Errorf("a pub-shaped token outside Datadog's context kept: %s", out)
	}
}
