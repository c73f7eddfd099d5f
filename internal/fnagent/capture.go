package fnagent

// tail keeps error messages readable when a process wrote a lot.
func tail(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return "..." + s[len(s)-max:]
}
