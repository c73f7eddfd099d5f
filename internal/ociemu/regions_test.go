package ociemu

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/oracle/oci-go-sdk/v65/common"
	"github.com/oracle/oci-go-sdk/v65/identity"
)

// A function outside the home region: reads are served by its region's IAM, writes only by
// the home region's; elsewhere they are 403 NotAllowed with Oracle's message, and nothing
// changes. ListRegionSubscriptions names the home region.
func TestIAMWritesOnlyInTheHomeRegion(t *testing.T) {
	ten := Generate(GenSpec{Seed: 41, Users: 3, Admins: 2, KeysPerAdmin: 2})
	ten.Region, ten.HomeRegion = "eu-frankfurt-1", "us-ashburn-1"
	f := authzFixture(t, ten, Options{})
	ctx := context.Background()
	if f.srv.IdentityURL() != f.srv.IdentityURLIn("us-ashburn-1") || f.srv.IdentityURLIn("eu-frankfurt-1") == "" || f.srv.IdentityURLIn("ap-tokyo-1") != "" {
		t.Fatalf("IAM listeners: home %q, frankfurt %q, tokyo %q", f.srv.IdentityURL(), f.srv.IdentityURLIn("eu-frankfurt-1"), f.srv.IdentityURLIn("ap-tokyo-1"))
	}
	f.iam.Host = f.srv.IdentityURLIn("eu-frankfurt-1")

	subs, err := f.iam.ListRegionSubscriptions(ctx, identity.ListRegionSubscriptionsRequest{TenancyId: common.String(f.p.TenancyID)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range subs.Items {
		got = append(got, *s.RegionName+"/"+*s.RegionKey+"/"+string(s.Status)+"/"+map[bool]string{true: "home", false: "-"}[*s.IsHomeRegion])
	}
	if strings.Join(got, " ") != "us-ashburn-1/IAD/READY/home eu-frankfurt-1/FRA/READY/-" {
		t.Errorf("region subscriptions %v", got)
	}
	if _, err := f.iam.ListRegionSubscriptions(ctx, identity.ListRegionSubscriptionsRequest{TenancyId: common.String("ocid1.tenancy.oc1..another")}); !refusedLikeOCI(err) {
		t.Errorf("another tenancy's subscriptions: err = %v, want 404", err)
	}

	admin := f.def.Users[adminIndex(f.def)]
	if _, err := f.iam.ListApiKeys(ctx, identity.ListApiKeysRequest{UserId: &admin.OCID}); err != nil {
		t.Fatalf("a read outside the home region: %v", err)
	}
	snap := f.srv.Snapshot()
	before := snap.KeyRefs()
	_, err = f.iam.DeleteApiKey(ctx, identity.DeleteApiKeyRequest{UserId: &admin.OCID, Fingerprint: &admin.APIKeys[0].Fingerprint})
	var se common.ServiceError
	if !errors.As(err, &se) || se.GetHTTPStatusCode() != http.StatusForbidden || se.GetCode() != "NotAllowed" ||
		se.GetMessage() != "Please go to your home region IAD to execute CREATE, UPDATE and DELETE operations." {
		t.Fatalf("a write outside the home region: err = %v, want 403 NotAllowed", err)
	}
	_, err = f.iam.UpdateUserCapabilities(ctx, identity.UpdateUserCapabilitiesRequest{UserId: &admin.OCID,
		UpdateUserCapabilitiesDetails: identity.UpdateUserCapabilitiesDetails{CanUseApiKeys: common.Bool(false)}})
	if !errors.As(err, &se) || se.GetCode() != "NotAllowed" {
		t.Fatalf("UpdateUserCapabilities outside the home region: err = %v, want 403 NotAllowed", err)
	}
	if snap = f.srv.Snapshot(); strings.Join(snap.KeyRefs(), ",") != strings.Join(before, ",") {
		t.Fatal("a refused write changed the state")
	}

	f.iam.Host = f.srv.IdentityURL()
	if _, err := f.iam.DeleteApiKey(ctx, identity.DeleteApiKeyRequest{UserId: &admin.OCID, Fingerprint: &admin.APIKeys[0].Fingerprint}); err != nil {
		t.Fatalf("a write in the home region: %v", err)
	}
	if w := f.srv.IAMWritesByRegion(); w["eu-frankfurt-1"] != 2 || w["us-ashburn-1"] != 1 {
		t.Errorf("IAM writes by region %v, want 2 refused in eu-frankfurt-1 and 1 in us-ashburn-1", w)
	}
}

func TestFixtureRegionsAreOracles(t *testing.T) {
	ten := Generate(GenSpec{Seed: 42, Users: 1, Admins: 1})
	ten.HomeRegion = "us-nowhere-1"
	if err := ten.Validate(); err == nil || !strings.Contains(err.Error(), "us-nowhere-1") {
		t.Errorf("unknown home region: err = %v", err)
	}
}
