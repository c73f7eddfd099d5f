package ociemu

import (
	"sync"
)

// store is the server's single source of truth. IAM and SCIM handlers both read and mutate
// it, which is what makes a key deleted through one family disappear from the other.
type store struct {
	mu        sync.Mutex
	t         *Tenancy
	domains   map[string]*domainIndex // by domain OCID
	def       *domainIndex
	compByID  map[string]Compartment
	topics    map[string]bool
	published []Message
	cons      *consistencyState // deletes and uploads, as listings see them (consistency.go)
}

// domainIndex makes per-request work proportional to the page, not to the domain size.
type domainIndex struct {
	d            *Domain
	url          string         // the domain's SCIM endpoint, for meta.location
	userByID     map[string]int // SCIM id -> index in d.Users
	userByOCID   map[string]int
	groupByOCID  map[string]int
	keyOwner     map[string]int   // API key SCIM id -> user index
	groupsOfUser map[string][]int // user OCID -> group indexes, in group order

	// Lazily built SCIM documents: filters need the full resource as a map, and building
	// maps for 100k users on every filtered request would dominate the run time.
	userDocs  []map[string]any
	groupDocs []map[string]any
	keyOrder  []keyRef // all keys in user order; nil when stale
	// credOrder holds, per credential kind, the domain's credentials in user order; nil when stale.
	credOrder map[string][]keyRef
}

type keyRef struct{ user, key int }

func newStore(t *Tenancy) *store {
	s := &store{t: t, domains: map[string]*domainIndex{}, compByID: map[string]Compartment{}, topics: map[string]bool{},
		cons: newConsistencyState(Consistency{})}
	for _, c := range t.Compartments {
		s.compByID[c.ID] = c
	}
	for _, tp := range t.Topics {
		s.topics[tp.ID] = true
	}
	for i := range t.Domains {
		di := indexDomain(&t.Domains[i])
		s.domains[di.d.ID] = di
		if di.d.Type == DomainTypeDefault {
			s.def = di
		}
	}
	return s
}

func indexDomain(d *Domain) *domainIndex {
	di := &domainIndex{
		d:            d,
		userByID:     make(map[string]int, len(d.Users)),
		userByOCID:   make(map[string]int, len(d.Users)),
		groupByOCID:  make(map[string]int, len(d.Groups)),
		keyOwner:     map[string]int{},
		groupsOfUser: map[string][]int{},
		userDocs:     make([]map[string]any, len(d.Users)),
		groupDocs:    make([]map[string]any, len(d.Groups)),
	}
	for i, u := range d.Users {
		di.userByID[u.ID] = i
		di.userByOCID[u.OCID] = i
		for _, k := range u.APIKeys {
			di.keyOwner[k.ID] = i
		}
	}
	for i, g := range d.Groups {
		di.groupByOCID[g.OCID] = i
		for _, m := range g.Members {
			di.groupsOfUser[m] = append(di.groupsOfUser[m], i)
		}
	}
	return di
}

// keys returns every API key of the domain in a stable order (user order, then key order).
func (di *domainIndex) keys() []keyRef {
	if di.keyOrder == nil {
		di.keyOrder = make([]keyRef, 0, len(di.keyOwner))
		for ui, u := range di.d.Users {
			for ki := range u.APIKeys {
				di.keyOrder = append(di.keyOrder, keyRef{ui, ki})
			}
		}
	}
	return di.keyOrder
}

// deleteKey removes the key at ki of user ui and invalidates what depends on it.
func (di *domainIndex) deleteKey(ui, ki int) {
	u := &di.d.Users[ui]
	delete(di.keyOwner, u.APIKeys[ki].ID)
	u.APIKeys = append(u.APIKeys[:ki:ki], u.APIKeys[ki+1:]...)
	di.keyOrder = nil
}

func (di *domainIndex) setCanUseAPIKeys(ui int, v bool) {
	di.d.Users[ui].CanUseAPIKeys = v
	di.userDocs[ui] = nil
}

func (di *domainIndex) findKeyByFingerprint(ui int, fp string) int {
	for ki, k := range di.d.Users[ui].APIKeys {
		if k.Fingerprint == fp {
			return ki
		}
	}
	return -1
}

func (di *domainIndex) findKeyByID(id string) (ui, ki int, ok bool) {
	ui, ok = di.keyOwner[id]
	if !ok {
		return 0, 0, false
	}
	for ki, k := range di.d.Users[ui].APIKeys {
		if k.ID == id {
			return ui, ki, true
		}
	}
	return 0, 0, false
}
