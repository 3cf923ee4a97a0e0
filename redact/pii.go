package redact

import "regexp"

// Numeric PII (cards, SSNs, phone numbers, IBANs) has no keyword, so it gets
// its own cheap pass: only runs of digits and separators with at least nine
// digits (or an IBAN-shaped run) reach the regexes below.

var (
	cardRe  = regexp.MustCompile(`[0-9](?:[ -]?[0-9]){12,18}`)
	ssnRe   = regexp.MustCompile(`[0-9]{3}-[0-9]{2}-[0-9]{4}`)
	phoneRe = regexp.MustCompile(`\+[1-9][0-9]{0,2}(?:[ .-]?\(?[0-9]{1,4}\)?){2,5}|(?:\+?1[ .-]?)?(?:\([0-9]{3}\) ?|[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}`)
)

const numericRunMax = 64

func isNumSep(c byte) bool {
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+'
}

type piiSink func(s, e int, id string, class Class)

// scanNumbers reports numeric PII in b to sink and returns the start of an
// unfinished candidate at the end of b (or -1).
func scanNumbers(b []byte, enabled Class, sink piiSink) int {
	pend := -1
	n := len(b)
	for i := 0; i < n; i++ {
		c := b[i]
		switch {
		case isDigit(c) || c == '+' || c == '(':
		case isUpper(c) && enabled&IBAN != 0:
			if j, ok := scanIBAN(b, i, sink); ok {
				if j == n {
					pend = i
				}
				i = j
				continue
			}
			for i < n && isAlnum(b[i]) {
				i++
			}
			continue
		default:
			continue
		}
		if i > 0 && (isAlnum(b[i-1]) || b[i-1] == '_' || b[i-1] == '.') {
			for i < n && (isAlnum(b[i]) || b[i] == '.' || b[i] == '_') {
				i++
			}
			continue
		}
		j, digits := i, 0
		for j < n && j-i < numericRunMax && (isDigit(b[j]) || isNumSep(b[j])) {
			if isDigit(b[j]) {
				digits++
			}
			j++
		}
		if j == n && j-i < numericRunMax {
			pend = i
		}
		if digits >= 9 && (j == n || !isAlnum(b[j]) || !isDigit(b[j-1])) {
			classifyNumbers(b, i, j, enabled, sink)
		}
		i = j
	}
	// A trailing country code or "DE8" could still grow into an IBAN.
	if enabled&IBAN != 0 && pend < 0 {
		k := n
		for k > 0 && n-k < 3 && isAlnum(b[k-1]) {
			k--
		}
		if k < n && (k == 0 || !isAlnum(b[k-1])) && isUpper(b[k]) {
			pend = k
		}
	}
	return pend
}

func classifyNumbers(b []byte, i, j int, enabled Class, sink piiSink) {
	run := b[i:j]
	var used [][2]int
	overlaps := func(s, e int) bool {
		for _, u := range used {
			if s < u[1] && e > u[0] {
				return true
			}
		}
		return false
	}
	bounded := func(s, e int) bool {
		return (s == 0 || !isDigit(run[s-1])) && (e == len(run) || !isDigit(run[e]))
	}
	if enabled&Card != 0 {
		for _, loc := range cardRe.FindAllIndex(run, -1) {
			s, e := loc[0], loc[1]
			if bounded(s, e) && cardNumber(run[s:e]) {
				sink(i+s, i+e, "credit-card", Card)
				used = append(used, [2]int{s, e})
			}
		}
	}
	if enabled&SSN != 0 {
		for _, loc := range ssnRe.FindAllIndex(run, -1) {
			s, e := loc[0], loc[1]
			if bounded(s, e) && !overlaps(s, e) && ssnValid(run[s:e]) {
				sink(i+s, i+e, "us-ssn", SSN)
				used = append(used, [2]int{s, e})
			}
		}
	}
	if enabled&Phone != 0 {
		for _, loc := range phoneRe.FindAllIndex(run, -1) {
			s, e := loc[0], loc[1]
			for e > s && !isDigit(run[e-1]) {
				e--
			}
			if bounded(s, e) && !overlaps(s, e) && phoneDigits(run[s:e]) {
				sink(i+s, i+e, "phone-number", Phone)
				used = append(used, [2]int{s, e})
			}
		}
	}
}

// cardNumber checks length, consistent separators, issuer prefix and Luhn.
func cardNumber(v []byte) bool {
	var digits [19]byte
	n := 0
	var sep byte
	for _, c := range v {
		if isDigit(c) {
			if n == len(digits) {
				return false
			}
			digits[n] = c
			n++
			continue
		}
		if sep != 0 && c != sep {
			return false
		}
		sep = c
	}
	if n < 13 {
		return false
	}
	switch digits[0] {
	case '2', '3', '4', '5', '6':
	default:
		return false
	}
	return luhn(digits[:n])
}

// ssnValid applies the SSA's never-issued rules (area 000, 666, 9xx; group 00;
// serial 0000).
func ssnValid(v []byte) bool {
	area := string(v[0:3])
	return area != "000" && area != "666" && v[0] != '9' && string(v[4:6]) != "00" && string(v[7:11]) != "0000"
}

func phoneDigits(v []byte) bool {
	n := 0
	for _, c := range v {
		if isDigit(c) {
			n++
		}
	}
	return n >= 10 && n <= 15
}

// scanIBAN checks for an IBAN (optionally in groups of four) starting at i.
// It returns the index after the run it examined and whether it was an IBAN
// candidate at all.
func scanIBAN(b []byte, i int, sink piiSink) (int, bool) {
	n := len(b)
	if i > 0 && isAlnum(b[i-1]) {
		return i, false
	}
	if i+4 > n {
		return i, false
	}
	if !isUpper(b[i+1]) || !isDigit(b[i+2]) || !isDigit(b[i+3]) {
		return i, false
	}
	var buf [34]byte
	k, j, lastEnd := 0, i, i
	for j < n && j-i < 42 {
		c := b[j]
		if isDigit(c) || isUpper(c) {
			if k == len(buf) {
				break
			}
			buf[k] = c
			k++
			j++
			lastEnd = j
			continue
		}
		if c == ' ' && j+1 < n && (isDigit(b[j+1]) || isUpper(b[j+1])) && k%4 == 0 {
			j++
			continue
		}
		break
	}
	if lastEnd < n && isAlnum(b[lastEnd]) {
		return lastEnd, true
	}
	for cut := k; cut >= 15; cut-- {
		if ibanValid(buf[:cut]) {
			end := i
			for got := 0; got < cut; end++ {
				if b[end] != ' ' {
					got++
				}
			}
			sink(i, end, "iban", IBAN)
			return end, true
		}
	}
	return lastEnd, true
}
