package redact

// Rules for the classes the ninth held-out corpus found missing (see
// redact/testdata/ninth/secrets-ninth.md):
//
//   - Java keystore and key passwords passed as flags or build properties
//     (keytool, jarsigner, the Maven jarsigner plugin), each flag on a line
//     read on its own (rules_fx9_keystore.go);
//   - Azure's 64-byte account keys (Storage, Cosmos DB) wherever an Azure
//     name stands before them (rules_fx9_azure.go);
//   - API-key headers (Azure OpenAI `api-key`, APIM subscription keys,
//     Functions keys) in any notation a log writes them (rules_fx9_apikey.go);
//   - API keys passed as a tool's argument: `wandb login`, PowerShell
//     Gallery and NuGet pushes (rules_fx9_login.go);
//   - PagerDuty integration keys under PagerDuty's name
//     (rules_fx9_pagerduty.go);
//   - Apple app-specific passwords under their name (rules_fx9_apple.go);
//   - public values kept: `#{Var}#` pipeline tokens (rules_fx9_keep.go, read by
//     valueReference), certificate thumbprints and PagerDuty incident keys (names
//     added to notSecretParts and plainKeyQualifiers), Datadog browser client
//     tokens in Datadog's context (rules_fx9_keep.go, registered in
//     rules_fx7_keep.go keepRuleSet).
//
// The rules register after fx8's (engine.go allRules), so the generated
// samples of every earlier rule keep their seeds.

func fx9Rules() []*rule {
	var rs []*rule
	rs = append(rs, keystoreRules()...)
	rs = append(rs, azureKeyRules()...)
	rs = append(rs, apiKeyHeaderRules()...)
	rs = append(rs, toolKeyRules()...)
	rs = append(rs, pagerDutyRules()...)
	rs = append(rs, appleRules()...)
	return rs
}
