package config

import (
	"strings"
	"testing"
)

func TestIdentityRateLimit(t *testing.T) {
	c, err := Load(map[string]string{})
	if err != nil || c.RateLimit != 2.5 {
		t.Fatalf("default IDENTITY_RATE_LIMIT = %v, %v; want 2.5 (150/min, Free domain type)", c.RateLimit, err)
	}
	for v, want := range map[string]float64{"25": 25, "0": 0, " 83.3 ": 83.3, "100": 100} {
		c, err := Load(map[string]string{"IDENTITY_RATE_LIMIT": v})
		if err != nil || c.RateLimit != want {
			t.Errorf("IDENTITY_RATE_LIMIT=%q: %v, %v; want %v", v, c.RateLimit, err, want)
		}
	}
	for _, v := range []string{"-1", "101", "fast", "NaN", "Inf", "1e3"} {
		if _, err := Load(map[string]string{"IDENTITY_RATE_LIMIT": v}); err == nil || !strings.Contains(err.Error(), "IDENTITY_RATE_LIMIT") {
			t.Errorf("IDENTITY_RATE_LIMIT=%q accepted (%v)", v, err)
		}
	}
}
