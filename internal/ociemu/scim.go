package ociemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu/scimfilter"
)

const scimPrefix = "/admin/v1"

// scimRoutes serves the Identity Domains SCIM API of one domain.
func (s *Server) scimRoutes(mux *http.ServeMux, di *domainIndex) {
	s.handleIn(di, mux, scimPrefix+"/Users", map[string]route{http.MethodGet: {OpScimListUsers, s.scimListUsers(di)}})
	s.handleIn(di, mux, scimPrefix+"/Users/{id}", map[string]route{
		http.MethodGet:   {OpScimGetUser, s.scimGetUser(di)},
		http.MethodPatch: {OpScimPatchUser, s.scimPatchUser(di)},
	})
	s.handleIn(di, mux, scimPrefix+"/Groups", map[string]route{http.MethodGet: {OpScimListGroups, s.scimListGroups(di)}})
	s.handleIn(di, mux, scimPrefix+"/ApiKeys", map[string]route{http.MethodGet: {OpScimListApiKeys, s.scimListAPIKeys(di)}})
	s.handleIn(di, mux, scimPrefix+"/ApiKeys/{id}", map[string]route{http.MethodDelete: {OpScimDeleteApiKey, s.scimDeleteAPIKey(di)}})
	s.handleIn(di, mux, scimPrefix+"/ApiKeys/.search", map[string]route{http.MethodPost: {OpScimSearchApiKeys, s.scimSearchAPIKeys(di)}})
	s.credentialRoutesSCIM(mux, di)
	s.roleRoutesSCIM(mux, di)
	s.handleUnknown(mux)
}

// listResponse is the SCIM ListResponse envelope.
type listResponse struct {
	Schemas      []string         `json:"schemas"`
	TotalResults int              `json:"totalResults"`
	StartIndex   int              `json:"startIndex"`
	ItemsPerPage int              `json:"itemsPerPage"`
	Resources    []map[string]any `json:"Resources"`
}

// listParams are the parameters of a SCIM listing: from the query of a GET, or from the
// SearchRequest body of a POST .search (RFC 7644 3.4.3), which carry the same filter,
// paging and projection.
type listParams struct {
	filter       string
	start, count int
	proj         projection
}

func queryParams(r *http.Request) (listParams, error) {
	start, count, err := scimWindow(r)
	if err != nil {
		return listParams{}, err
	}
	return listParams{filter: r.URL.Query().Get("filter"), start: start, count: count, proj: parseProjection(r)}, nil
}

// searchRequest is identitydomains.ApiKeySearchRequest / UserSearchRequest (SDK
// api_key_search_request.go, user_search_request.go): schemas must hold
// urn:ietf:params:scim:api:messages:2.0:SearchRequest ("Query requests MUST be identified
// using the following URI"); count is at most 1000.
type searchRequest struct {
	Schemas       []string `json:"schemas"`
	Attributes    []string `json:"attributes"`
	AttributeSets []string `json:"attributeSets"`
	Filter        *string  `json:"filter"`
	SortBy        *string  `json:"sortBy"`
	SortOrder     string   `json:"sortOrder"`
	StartIndex    *int     `json:"startIndex"`
	Count         *int     `json:"count"`
}

const schemaSearchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"

func searchParams(body []byte) (listParams, *string, error) {
	var sr searchRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sr); err != nil {
		return listParams{}, nil, badRequest("body is not a SearchRequest: " + err.Error())
	}
	if !contains(sr.Schemas, schemaSearchRequest) {
		return listParams{}, nil, badRequest("schemas must contain " + schemaSearchRequest)
	}
	p := listParams{start: 1, count: scimDefaultCnt}
	if sr.StartIndex != nil {
		p.start = max(*sr.StartIndex, 1)
	}
	if sr.Count != nil {
		if *sr.Count < 0 {
			return listParams{}, nil, badRequest("count must be a non-negative integer")
		}
		p.count = min(*sr.Count, scimMaxCount)
	}
	if sr.Filter != nil {
		p.filter = *sr.Filter
	}
	p.proj = makeProjection(strings.Join(sr.Attributes, ","), sr.AttributeSets)
	return p, sr.SortBy, nil
}

// scimList answers a SCIM list over n resources. Without a filter only the page's
// documents are built; with one every resource is matched against its full document.
// The store lock is held while documents are built and matched.
// source is called with the lock held and returns the number of resources and their
// documents by position.
//
// The server's anomalies (anomalies.go) may cap the page, lower totalResults, serve the first
// page whatever startIndex says (op), strip fields from the documents, and, for a member
// listing of domain di, make a member leave the group once the page is built.
func (s *Server) scimList(w http.ResponseWriter, op string, di *domainIndex, p listParams, source func() (int, func(i int) map[string]any)) {
	a := s.currentAnomalies()
	start, count := p.start, a.capPage(p.count)
	if a.repeatsPages(op) {
		start = 1
	}
	var filter *scimfilter.Filter
	if p.filter != "" && !s.ignoringFilters() {
		var err error
		if filter, err = scimfilter.Parse(p.filter); err != nil {
			writeFailure(w, badRequest("invalid filter: "+err.Error()))
			return
		}
	}
	resp := listResponse{Schemas: []string{schemaListResp}, StartIndex: start, Resources: []map[string]any{}}
	lo := start - 1
	s.store.mu.Lock()
	n, doc := source()
	if filter == nil {
		resp.TotalResults = n
		for i := lo; i < n && i < lo+count; i++ {
			resp.Resources = append(resp.Resources, doc(i))
		}
	} else {
		for i := range n {
			d := doc(i)
			if !filter.Match(d) {
				continue
			}
			if resp.TotalResults >= lo && resp.TotalResults < lo+count {
				resp.Resources = append(resp.Resources, d)
			}
			resp.TotalResults++
		}
	}
	if di != nil && filter != nil {
		s.scimMemberLeaves(di, p.filter, resp.Resources, lo+len(resp.Resources) < resp.TotalResults)
	}
	s.store.mu.Unlock()
	for i, d := range resp.Resources {
		resp.Resources[i] = a.malformSCIM(p.proj.apply(d))
	}
	resp.TotalResults = max(resp.TotalResults-a.UnderReportTotal, 0)
	resp.ItemsPerPage = len(resp.Resources)
	writeJSON(w, http.StatusOK, resp)
}

// listing serves a GET listing (query parameters) or a POST .search (SearchRequest body)
// over the same source.
func (s *Server) listing(search bool, source func() (int, func(int) map[string]any)) handlerFunc {
	return s.listingOf(nil, search, source)
}

// listingOf is listing for the users of domain di: the listing a member may leave while it is
// paged (Anomalies.MembersLeaveBetweenPages).
func (s *Server) listingOf(di *domainIndex, search bool, source func() (int, func(int) map[string]any)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		var p listParams
		var sortBy *string
		var err error
		if search {
			p, sortBy, err = searchParams(body)
		} else {
			p, err = queryParams(r)
			if r.URL.Query().Has("sortBy") {
				v := r.URL.Query().Get("sortBy")
				sortBy = &v
			}
		}
		if err == nil {
			err = s.checkSCIMSortBy(sortBy)
		}
		if err != nil {
			writeFailure(w, err)
			return
		}
		s.scimList(w, opOf(r.Context()), di, p, source)
	}
}

func (s *Server) userSource(di *domainIndex) func() (int, func(int) map[string]any) {
	return func() (int, func(int) map[string]any) {
		return len(di.d.Users), func(i int) map[string]any { return s.userDoc(di, i) }
	}
}

// keySource is the domain's keys as a listing sees them now: without the keys not visible yet,
// with the keys deleted lately that a lagging listing still shows (deleteInProgress once it
// sees the delete; consistency.go).
func (s *Server) keySource(di *domainIndex) func() (int, func(int) map[string]any) {
	return func() (int, func(int) map[string]any) {
		now, cons := time.Now(), s.store.cons
		keys := di.keys()
		if len(cons.visibleAt) > 0 {
			keys = slices.DeleteFunc(slices.Clone(keys), func(r keyRef) bool {
				return cons.liveState(di.d.Users[r.user].APIKeys[r.key].ID, now) == keyUnlisted
			})
		}
		ghosts, states := cons.ghosts(di.d.ID, -1, now)
		return len(keys) + len(ghosts), func(i int) map[string]any {
			if i < len(keys) {
				return s.keyDoc(di, keys[i])
			}
			g := ghosts[i-len(keys)]
			d := s.apiKeyDoc(di, g.user, &g.key)
			d["deleteInProgress"] = states[i-len(keys)] == keyDeleting
			return d
		}
	}
}

func (s *Server) scimListUsers(di *domainIndex) handlerFunc {
	return s.listingOf(di, false, s.userSource(di))
}

func (s *Server) scimListGroups(di *domainIndex) handlerFunc {
	return s.listing(false, func() (int, func(int) map[string]any) {
		return len(di.d.Groups), func(i int) map[string]any { return s.groupDoc(di, i) }
	})
}

func (s *Server) scimListAPIKeys(di *domainIndex) handlerFunc {
	return s.listing(false, s.keySource(di))
}

func (s *Server) scimSearchAPIKeys(di *domainIndex) handlerFunc {
	return s.listing(true, s.keySource(di))
}

func (s *Server) scimGetUser(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.store.mu.Lock()
		ui, ok := di.userByID[r.PathValue("id")]
		var doc map[string]any
		if ok {
			doc = s.userDoc(di, ui)
		}
		s.store.mu.Unlock()
		if !ok {
			writeFailure(w, errNotFound)
			return
		}
		writeJSON(w, http.StatusOK, parseProjection(r).apply(doc))
	}
}

func (s *Server) scimDeleteAPIKey(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		id := r.PathValue("id")
		ui, ki, ok := di.findKeyByID(id)
		now := time.Now()
		if !ok {
			if s.store.cons.stillDeleting(func(d *deletedKey) bool { return d.key.ID == id }, now) {
				writeIncorrectState(w, true)
				return
			}
			writeFailure(w, errNotFound)
			return
		}
		if !s.mayWriteUser(di, ui) {
			writeSCIMError(w, http.StatusForbidden, scimForbiddenMsg, scimForbiddenID)
			return
		}
		s.store.cons.recordDelete(di.d.ID, ui, di.d.Users[ui].APIKeys[ki], now)
		di.deleteKey(ui, ki)
		w.WriteHeader(http.StatusNoContent)
	}
}

// patchOp is the SCIM PatchOp message.
type patchOp struct {
	Schemas    []string `json:"schemas"`
	Operations []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	} `json:"Operations"`
}

// scimPatchUser supports what the guard needs: replace/add of canUseApiKeys, either by its
// full path or as a member of the capabilities extension object. Anything else is a 400,
// and no operation is applied unless all are valid.
func (s *Server) scimPatchUser(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, body []byte) {
		var p patchOp
		if err := json.NewDecoder(bytes.NewReader(body)).Decode(&p); err != nil {
			writeFailure(w, badRequest("body is not a PatchOp"))
			return
		}
		if !contains(p.Schemas, schemaPatchOp) || len(p.Operations) == 0 {
			writeFailure(w, badRequest("body must be a PatchOp with at least one operation"))
			return
		}
		values := map[string]bool{}
		for _, op := range p.Operations {
			if o := strings.ToLower(op.Op); o != "replace" && o != "add" {
				writeFailure(w, badRequest("unsupported patch op "+op.Op))
				return
			}
			v, err := capabilityValues(op.Path, op.Value)
			if err != nil {
				writeFailure(w, err)
				return
			}
			for a, b := range v {
				values[a] = b
			}
		}
		s.store.mu.Lock()
		ui, ok := di.userByID[r.PathValue("id")]
		if ok && !s.mayWriteUser(di, ui) {
			s.store.mu.Unlock()
			writeSCIMError(w, http.StatusForbidden, scimForbiddenMsg, scimForbiddenID)
			return
		}
		var doc map[string]any
		if ok {
			di.applyCapabilities(ui, values)
			doc = s.userDoc(di, ui)
		}
		s.store.mu.Unlock()
		if !ok {
			writeFailure(w, errNotFound)
			return
		}
		writeJSON(w, http.StatusOK, parseProjection(r).apply(doc))
	}
}
