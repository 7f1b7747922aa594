package driver

// Evaluates the Envoy RBAC filters istiod puts on an inbound filter chain (HTTP filters of the
// connection manager for HTTP ports, network filters for TCP ones). pilot/pkg/simulation stops at
// the route and does not run authorization, so the verdict is computed here from the generated
// config.rbac.v3 policies, with Envoy's semantics (extensions.filters.http.rbac.v3 and
// config.rbac.v3 docs): a policy matches when any permission and any principal match; an ALLOW
// filter denies unless some policy matches, a DENY filter denies when one does; filters run in
// chain order and the first denial ends the request. The peer principal is the caller's SPIFFE ID,
// which Istio reads either as the `authenticated` principal or the io.istio.peer_principal filter
// state (pilot/pkg/security/authz/model/principal.go).
//
// Source addresses: istiod turns an AuthorizationPolicy source's ipBlocks into Principal
// direct_remote_ip and its remoteIpBlocks into remote_ip, each a CidrRange; notIpBlocks and
// notRemoteIpBlocks become the same principal under not_id (pilot/pkg/security/authz/model
// generator.go srcIPGenerator/remoteIPGenerator, principal.go principalDirectRemoteIP/
// principalRemoteIP, model.go insertFront(attrSrcIP, IpBlocks, NotIpBlocks)). Envoy matches
// direct_remote_ip against the connection's peer address, remote_ip against the address the
// connection manager settles on (x-forwarded-for or the PROXY protocol may change it), and the
// deprecated source_ip against the connection's source (config.rbac.v3.Principal). A call the
// tests describe comes straight from the caller with neither, so all three are the caller's IP;
// a call carrying x-forwarded-for is refused rather than guessed.

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	rbacpb "github.com/envoyproxy/go-control-plane/envoy/config/rbac/v3"
	rbachttp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/rbac/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	rbactcp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/rbac/v3"
	"google.golang.org/protobuf/types/known/anypb"
)

// peer is what the RBAC filter knows about a connection and request.
type peer struct {
	principal string // "" for a plaintext caller
	// sourceIP is the caller's address as the connection shows it; invalid when the call names
	// none (then a policy on addresses cannot be evaluated and says so).
	sourceIP netip.Addr
	port     int
	http     *request // nil for TCP
}

// cidrContains is Envoy's CidrRange test (config.core.v3.CidrRange; source/common/network/cidr_range.cc
// isInRange): the address must be of the range's IP version and share its first prefix_len bits;
// prefix_len unset is 0. An IPv4-mapped IPv6 address is not an IPv4 address here, as in Envoy
// without v4-mapped matching.
func cidrContains(r *core.CidrRange, ip netip.Addr) (bool, error) {
	base, err := netip.ParseAddr(r.GetAddressPrefix())
	if err != nil {
		return false, fmt.Errorf("CidrRange address_prefix %q: %w", r.GetAddressPrefix(), err)
	}
	bits := int(r.GetPrefixLen().GetValue())
	if bits > base.BitLen() {
		return false, fmt.Errorf("CidrRange %s/%d: prefix longer than the address", base, bits)
	}
	if base.Is4() != ip.Is4() {
		return false, nil
	}
	prefix, err := base.Prefix(bits)
	if err != nil {
		return false, err
	}
	return prefix.Contains(ip), nil
}

// addressMatches decides a direct_remote_ip, remote_ip or source_ip principal for the caller.
func addressMatches(kind string, r *core.CidrRange, in peer) (bool, error) {
	if !in.sourceIP.IsValid() {
		return false, fmt.Errorf("RBAC principal %s %s/%d: the call names no caller IP", kind, r.GetAddressPrefix(), r.GetPrefixLen().GetValue())
	}
	if kind == "remote_ip" && in.http != nil && len(in.http.headers["x-forwarded-for"]) > 0 {
		return false, fmt.Errorf("RBAC principal remote_ip with x-forwarded-for: the remote address Envoy derives is not evaluated")
	}
	return cidrContains(r, in.sourceIP)
}

func permissionMatches(p *rbacpb.Permission, in peer) (bool, error) {
	switch r := p.GetRule().(type) {
	case *rbacpb.Permission_Any:
		return r.Any, nil
	case *rbacpb.Permission_AndRules:
		for _, x := range r.AndRules.GetRules() {
			ok, err := permissionMatches(x, in)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case *rbacpb.Permission_OrRules:
		for _, x := range r.OrRules.GetRules() {
			ok, err := permissionMatches(x, in)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *rbacpb.Permission_NotRule:
		ok, err := permissionMatches(r.NotRule, in)
		return !ok && err == nil, err
	case *rbacpb.Permission_DestinationPort:
		return int(r.DestinationPort) == in.port, nil
	case *rbacpb.Permission_DestinationPortRange:
		return int32(in.port) >= r.DestinationPortRange.GetStart() && int32(in.port) < r.DestinationPortRange.GetEnd(), nil
	case *rbacpb.Permission_Header:
		if in.http == nil {
			return false, nil
		}
		return headerMatch(r.Header, in.http.headers)
	case *rbacpb.Permission_UrlPath:
		if in.http == nil {
			return false, nil
		}
		return stringMatch(r.UrlPath.GetPath(), in.http.path)
	}
	return false, fmt.Errorf("unsupported RBAC permission %T", p.GetRule())
}

func principalMatches(p *rbacpb.Principal, in peer) (bool, error) {
	switch r := p.GetIdentifier().(type) {
	case *rbacpb.Principal_Any:
		return r.Any, nil
	case *rbacpb.Principal_AndIds:
		for _, x := range r.AndIds.GetIds() {
			ok, err := principalMatches(x, in)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case *rbacpb.Principal_OrIds:
		for _, x := range r.OrIds.GetIds() {
			ok, err := principalMatches(x, in)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *rbacpb.Principal_NotId:
		ok, err := principalMatches(r.NotId, in)
		return !ok && err == nil, err
	case *rbacpb.Principal_Authenticated_:
		if in.principal == "" {
			return false, nil
		}
		if r.Authenticated.GetPrincipalName() == nil {
			return true, nil
		}
		return stringMatch(r.Authenticated.GetPrincipalName(), in.principal)
	case *rbacpb.Principal_FilterState:
		if r.FilterState.GetKey() != "io.istio.peer_principal" {
			return false, fmt.Errorf("unsupported filter state key %q", r.FilterState.GetKey())
		}
		if in.principal == "" {
			return false, nil
		}
		return stringMatch(r.FilterState.GetStringMatch(), in.principal)
	case *rbacpb.Principal_DirectRemoteIp:
		return addressMatches("direct_remote_ip", r.DirectRemoteIp, in)
	case *rbacpb.Principal_RemoteIp:
		return addressMatches("remote_ip", r.RemoteIp, in)
	case *rbacpb.Principal_SourceIp: // deprecated in Envoy, still honoured
		return addressMatches("source_ip", r.SourceIp, in)
	case *rbacpb.Principal_Header:
		if in.http == nil {
			return false, nil
		}
		return headerMatch(r.Header, in.http.headers)
	case *rbacpb.Principal_UrlPath:
		if in.http == nil {
			return false, nil
		}
		return stringMatch(r.UrlPath.GetPath(), in.http.path)
	}
	return false, fmt.Errorf("unsupported RBAC principal %T", p.GetIdentifier())
}

func policyMatches(p *rbacpb.Policy, in peer) (bool, error) {
	if p.GetCondition() != nil || p.GetCheckedCondition() != nil {
		return false, fmt.Errorf("RBAC conditions are not evaluated")
	}
	anyPerm := false
	for _, x := range p.GetPermissions() {
		ok, err := permissionMatches(x, in)
		if err != nil {
			return false, err
		}
		if ok {
			anyPerm = true
			break
		}
	}
	if !anyPerm {
		return false, nil
	}
	for _, x := range p.GetPrincipals() {
		ok, err := principalMatches(x, in)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

func evaluateRules(name string, rules *rbacpb.RBAC, in peer) (RBACVerdict, error) {
	v := RBACVerdict{Filter: name, Action: rules.GetAction().String(), Allowed: true, Matched: []string{}, Policies: []string{}}
	names := make([]string, 0, len(rules.GetPolicies()))
	for n := range rules.GetPolicies() {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v.Policies = append(v.Policies, n)
		ok, err := policyMatches(rules.GetPolicies()[n], in)
		if err != nil {
			return v, fmt.Errorf("policy %s: %w", n, err)
		}
		if ok {
			v.Matched = append(v.Matched, n)
		}
	}
	switch rules.GetAction() {
	case rbacpb.RBAC_ALLOW:
		v.Allowed = len(v.Matched) > 0
	case rbacpb.RBAC_DENY:
		v.Allowed = len(v.Matched) == 0
	case rbacpb.RBAC_LOG:
		v.Allowed = true
	}
	return v, nil
}

func decodeRBAC(a *anypb.Any, tcp bool) (*rbacpb.RBAC, error) {
	if tcp {
		f := &rbactcp.RBAC{}
		if err := a.UnmarshalTo(f); err != nil {
			return nil, err
		}
		return f.GetRules(), nil
	}
	f := &rbachttp.RBAC{}
	if err := a.UnmarshalTo(f); err != nil {
		return nil, err
	}
	return f.GetRules(), nil
}

// authorize runs every RBAC filter of the chain: network filters first, then (for HTTP) the HTTP
// filters of the connection manager.
func authorize(fc *listener.FilterChain, conn *hcm.HttpConnectionManager, in peer) (*Authz, error) {
	out := &Authz{Allowed: true, Filters: []RBACVerdict{}}
	run := func(name string, a *anypb.Any, tcp bool, i int) error {
		rules, err := decodeRBAC(a, tcp)
		if err != nil {
			return err
		}
		if rules == nil {
			return nil // only shadow rules: no enforcement
		}
		v, err := evaluateRules(name+"#"+strconv.Itoa(i), rules, in)
		if err != nil {
			return err
		}
		out.Filters = append(out.Filters, v)
		if !v.Allowed {
			out.Allowed = false
		}
		return nil
	}
	for i, f := range fc.GetFilters() {
		if f.GetName() == "envoy.filters.network.rbac" {
			if err := run(f.GetName(), f.GetTypedConfig(), true, i); err != nil {
				return nil, err
			}
		}
	}
	if conn != nil && in.http != nil {
		for i, f := range conn.GetHttpFilters() {
			if f.GetName() == "envoy.filters.http.rbac" {
				if err := run(f.GetName(), f.GetTypedConfig(), false, i); err != nil {
					return nil, err
				}
			}
		}
	}
	return out, nil
}
