package config

import (
	"strings"
	"testing"

	"github.com/apikeyguard/admin-apikey-guard/internal/ratelimit"
)

func TestIdentityRateLimit(t *testing.T) {
	c, err := Load(map[string]string{})
	if err != nil || !c.RateLimit.Auto() {
		t.Fatalf("default IDENTITY_RATE_LIMIT = %v, %v; want auto (each domain at its type's windows)", c.RateLimit, err)
	}
	for v, want := range map[string]ratelimit.Setting{
		"auto": {}, " AUTO ": {}, "": {},
		"premium": {Type: ratelimit.Premium}, "Oracle Apps Premium": {Type: ratelimit.OracleAppsPremium}, "FREE": {Type: ratelimit.Free},
		"25": {Fixed: true, PerSecond: 25}, "0": {Fixed: true}, " 83.3 ": {Fixed: true, PerSecond: 83.3}, "100": {Fixed: true, PerSecond: 100},
	} {
		c, err := Load(map[string]string{"IDENTITY_RATE_LIMIT": v})
		if err != nil || c.RateLimit != want {
			t.Errorf("IDENTITY_RATE_LIMIT=%q: %+v, %v; want %+v", v, c.RateLimit, err, want)
		}
	}
	for _, v := range []string{"-1", "101", "fast", "NaN", "Inf", "1e3", "premium-plus"} {
		if _, err := Load(map[string]string{"IDENTITY_RATE_LIMIT": v}); err == nil || !strings.Contains(err.Error(), "IDENTITY_RATE_LIMIT") {
			t.Errorf("IDENTITY_RATE_LIMIT=%q accepted (%v)", v, err)
		}
	}
}
