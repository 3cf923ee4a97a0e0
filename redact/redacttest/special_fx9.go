package redacttest

import "math/rand/v2"

// Samples for the rules of redact/rules_fx9*.go.
func init() {
	special["keystore-password"] = func(r *rand.Rand) (string, string) {
		v := "Ks9" + randString(r, alnum, 13)
		return v, "keytool -importkeystore -srckeystore a.p12 -destkeystore b.jks -deststorepass " + v + " -noprompt\n"
	}
	special["azure-account-key"] = func(r *rand.Rand) (string, string) {
		v := randString(r, alnum+"+/", 86) + "=="
		return v, "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net=" + v + "\n"
	}
}

func init() {
	special["azure-header-key"] = func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 32)
		return v, "headers=[(b'host', b'x.openai.azure.com'), (b'api-key', b'" + v + "')]\n"
	}
}

func init() {
	special["tool-argument-key"] = func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 40)
		return v, "RUN /bin/sh -c wandb login " + v + " && python train.py\n"
	}
}

func init() {
	special["pagerduty-key-near-name"] = func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 32)
		return v, "receivers:\n- name: oncall\n  pagerduty_configs:\n  - routing_key: " + v + "\n"
	}
}

func init() {
	special["apple-app-specific-password"] = func(r *rand.Rand) (string, string) {
		l := "abcdefghijklmnopqrstuvwxyz"
		v := randString(r, l, 4) + "-" + randString(r, l, 4) + "-" + randString(r, l, 4) + "-" + randString(r, l, 4)
		return v, "FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD=" + v + "\n"
	}
}
