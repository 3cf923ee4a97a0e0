package redact

// Apple app-specific passwords: four groups of four lower-case letters
// (`abcd-efgh-ijkl-mnop`), used by fastlane, altool and notarytool in place
// of an Apple ID password. The shape reads as a word list to the generic
// password rules, so the name says it: `…APPLICATION_SPECIFIC_PASSWORD`
// (fastlane's FASTLANE_APPLE_APPLICATION_SPECIFIC_PASSWORD),
// `app_specific_password`, `AppSpecificPassword`, and notarytool's and
// altool's `--password`/`-p` after `notarytool`/`altool` is cli-password's.

func appleRules() []*rule {
	return []*rule{
		ctx("apple-app-specific-password",
			[]string{"specific_password", "specific-password", "specificpassword"},
			`([a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4})`).grp(1).check(appleAppPasswordRandom),
	}
}

// appleAppPasswordRandom keeps an example that repeats a group
// (`xxxx-xxxx-xxxx-xxxx`, `abcd-abcd-abcd-abcd`).
func appleAppPasswordRandom(v []byte) bool {
	return !isPlaceholder(v) && string(v[:4]) != string(v[5:9]) && shannon(v) >= 3
}
