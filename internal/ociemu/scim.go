package ociemu

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/apikeyguard/admin-apikey-guard/internal/ociemu/scimfilter"
)

const scimPrefix = "/admin/v1"

// scimRoutes serves the Identity Domains SCIM API of one domain.
func (s *Server) scimRoutes(mux *http.ServeMux, di *domainIndex) {
	s.handle(mux, scimPrefix+"/Users", map[string]route{http.MethodGet: {OpScimListUsers, s.scimListUsers(di)}})
	s.handle(mux, scimPrefix+"/Users/{id}", map[string]route{
		http.MethodGet:   {OpScimGetUser, s.scimGetUser(di)},
		http.MethodPatch: {OpScimPatchUser, s.scimPatchUser(di)},
	})
	s.handle(mux, scimPrefix+"/Groups", map[string]route{http.MethodGet: {OpScimListGroups, s.scimListGroups(di)}})
	s.handle(mux, scimPrefix+"/Groups/{id}", map[string]route{http.MethodGet: {OpScimGetGroup, s.scimGetGroup(di)}})
	s.handle(mux, scimPrefix+"/ApiKeys", map[string]route{http.MethodGet: {OpScimListApiKeys, s.scimListAPIKeys(di)}})
	s.handle(mux, scimPrefix+"/ApiKeys/{id}", map[string]route{http.MethodDelete: {OpScimDeleteApiKey, s.scimDeleteAPIKey(di)}})
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

// scimList answers a SCIM list over n resources. Without a filter only the page's
// documents are built; with one every resource is matched against its full document.
// The store lock is held while documents are built and matched.
// source is called with the lock held and returns the number of resources and their
// documents by position.
func (s *Server) scimList(w http.ResponseWriter, r *http.Request, source func() (int, func(i int) map[string]any), p projection) {
	start, count, err := scimWindow(r)
	if err != nil {
		writeFailure(w, err)
		return
	}
	var filter *scimfilter.Filter
	if f := r.URL.Query().Get("filter"); f != "" {
		if filter, err = scimfilter.Parse(f); err != nil {
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
	s.store.mu.Unlock()
	for i, d := range resp.Resources {
		resp.Resources[i] = p.apply(d)
	}
	resp.ItemsPerPage = len(resp.Resources)
	writeJSON(w, http.StatusOK, resp)
}

func (s *Server) scimListUsers(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.scimList(w, r, func() (int, func(int) map[string]any) {
			return len(di.d.Users), func(i int) map[string]any { return s.userDoc(di, i) }
		}, parseProjection(r))
	}
}

func (s *Server) scimListGroups(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.scimList(w, r, func() (int, func(int) map[string]any) {
			return len(di.d.Groups), func(i int) map[string]any { return s.groupDoc(di, i) }
		}, parseProjection(r, "members"))
	}
}

func (s *Server) scimListAPIKeys(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.scimList(w, r, func() (int, func(int) map[string]any) {
			keys := di.keys()
			return len(keys), func(i int) map[string]any { return s.keyDoc(di, keys[i]) }
		}, parseProjection(r))
	}
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

func (s *Server) scimGetGroup(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.store.mu.Lock()
		gi, ok := di.groupByID[r.PathValue("id")]
		var doc map[string]any
		if ok {
			doc = s.groupDoc(di, gi)
		}
		s.store.mu.Unlock()
		if !ok {
			writeFailure(w, errNotFound)
			return
		}
		writeJSON(w, http.StatusOK, parseProjection(r, "members").apply(doc))
	}
}

func (s *Server) scimDeleteAPIKey(di *domainIndex) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ []byte) {
		s.store.mu.Lock()
		defer s.store.mu.Unlock()
		ui, ki, ok := di.findKeyByID(r.PathValue("id"))
		if !ok {
			writeFailure(w, errNotFound)
			return
		}
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
		var values []bool
		for _, op := range p.Operations {
			if o := strings.ToLower(op.Op); o != "replace" && o != "add" {
				writeFailure(w, badRequest("unsupported patch op "+op.Op))
				return
			}
			v, err := canUseAPIKeysValue(op.Path, op.Value)
			if err != nil {
				writeFailure(w, err)
				return
			}
			values = append(values, v)
		}
		s.store.mu.Lock()
		ui, ok := di.userByID[r.PathValue("id")]
		var doc map[string]any
		if ok {
			di.setCanUseAPIKeys(ui, values[len(values)-1])
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

func canUseAPIKeysValue(path string, raw json.RawMessage) (bool, error) {
	switch {
	case strings.EqualFold(path, pathCanUseAPIKey):
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			return false, badRequest("canUseApiKeys must be a boolean")
		}
		return v, nil
	case strings.EqualFold(path, extCapabilities):
		var v struct {
			CanUseAPIKeys *bool `json:"canUseApiKeys"`
		}
		if err := json.Unmarshal(raw, &v); err != nil || v.CanUseAPIKeys == nil {
			return false, badRequest("the capabilities value must hold a boolean canUseApiKeys")
		}
		return *v.CanUseAPIKeys, nil
	}
	return false, badRequest("unsupported patch path " + path)
}
