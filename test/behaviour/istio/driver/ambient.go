package driver

// The ambient data plane, asked of istiod's own code. A request from a workload to a Service takes,
// in ambient mode, one of two paths (istio.io "ambient data plane" docs; Istio's ambient index,
// pilot/pkg/serviceregistry/ambient):
//
//   - the Service is bound to a waypoint (istio.io/use-waypoint, resolved by Istio's ambient index
//     into the Service's workloadapi.Service.Waypoint): the caller's ztunnel tunnels it to the
//     waypoint, whose Envoy configuration istiod generates for a proxy of type Waypoint
//     (pilot/pkg/networking/core/listener_waypoint.go). The driver takes the `main_internal`
//     listener the HBONE terminator forwards to, picks its filter chain by evaluating the listener's
//     filter-chain matcher tree for the Service VIP and port (destination IP, then port, then the
//     application protocol: Envoy's xds.type.matcher.v3 semantics), then the virtual host and first
//     matching route of the chain's route configuration (HTTPRoute rules reach it as the internal
//     VirtualService Istio's gateway controller converts them into, pilot/pkg/config/kube/gateway),
//     and the chain's RBAC filters for the caller's identity (L7 AuthorizationPolicies attached by
//     targetRefs). The waypoint then connects to the chosen backend pod, whose ztunnel authorizes the
//     waypoint's identity;
//   - without a waypoint the destination pod's ztunnel authorizes the caller itself.
//
// ztunnel's authorization input is Istio's own conversion of AuthorizationPolicy and
// PeerAuthentication into workloadapi security.Authorization (the ambient index's Policies, the
// WDS resources istiod pushes to ztunnel, pilot/pkg/serviceregistry/ambient/authorization.go). ztunnel
// is Rust and not on a Go registry, so the decision over those resources is evaluated here with
// ztunnel's rules (istio/ztunnel 62d826530e5c, src/state.rs assert_rbac: namespace, global and the
// workload's selector policies; any matching DENY denies, no ALLOW allows, else an ALLOW must match;
// src/rbac.rs Authorization::matches: any rule, all clauses of it, any match of a clause, all fields
// of a match, positive fields any-of and negative fields none-of; principals compared without the
// spiffe:// prefix; an empty rule list never matches).

import (
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	matcher "github.com/cncf/xds/go/xds/type/matcher/v3"
	endpoint "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/util/sets"
	"istio.io/istio/pkg/workloadapi"
	"istio.io/istio/pkg/workloadapi/security"
)

// Ztunnel is ztunnel's L4 decision at the destination pod.
type Ztunnel struct {
	Allowed bool `json:"allowed"`
	// Source is the identity ztunnel saw: the caller's, or the waypoint's when the request came
	// through one; "" for a plaintext caller.
	Source string `json:"source"`
	// Policies are the security.Authorization resources that apply to the pod (namespace/name),
	// Matched those that matched the connection.
	Policies []string `json:"policies"`
	Matched  []string `json:"matched"`
	Reason   string   `json:"reason"`
}

// serviceByVIP is the ambient index's Service for a VIP (the default network is "").
func (w *world) serviceByVIP(vip string) (*workloadapi.Service, error) {
	for _, a := range w.s.AmbientIndex.Lookup("/" + vip) {
		if s := a.GetService(); s != nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("the ambient index has no Service with address %s", vip)
}

// workloadByIP is the ambient index's Workload for a pod IP.
func (w *world) workloadByIP(ip string) (*workloadapi.Workload, error) {
	for _, a := range w.s.AmbientIndex.Lookup("/" + ip) {
		if wl := a.GetWorkload(); wl != nil {
			return wl, nil
		}
	}
	return nil, fmt.Errorf("the ambient index has no workload with address %s", ip)
}

func identityOf(wl *workloadapi.Workload) string {
	sa := wl.GetServiceAccount()
	if sa == "" {
		sa = "default" // elided when default (workloadapi.Workload.service_account)
	}
	td := wl.GetTrustDomain()
	if td == "" {
		td = trustDomain
	}
	return fmt.Sprintf("spiffe://%s/ns/%s/sa/%s", td, wl.GetNamespace(), sa)
}

// waypointOf resolves a Service's waypoint to its Service (hostname) and one of its pods.
func (w *world) waypointOf(svc *workloadapi.Service) (host string, pod *workloadapi.Workload, err error) {
	wp := svc.GetWaypoint()
	if wp == nil {
		return "", nil, nil
	}
	hn := wp.GetHostname()
	if hn == nil {
		return "", nil, fmt.Errorf("service %s: waypoint %v has no hostname", svc.GetHostname(), wp)
	}
	key := hn.GetNamespace() + "/" + hn.GetHostname()
	for _, a := range w.s.AmbientIndex.Lookup(key) {
		if wl := a.GetWorkload(); wl != nil {
			return hn.GetHostname(), wl, nil
		}
	}
	return "", nil, fmt.Errorf("waypoint %s has no pod in the ambient index", key)
}

func (w *world) waypointProxy(pod *workloadapi.Workload, gatewayName string) *model.Proxy {
	ip, _ := netip.AddrFromSlice(pod.GetAddresses()[0])
	key := "waypoint/" + pod.GetNamespace() + "/" + ip.String()
	if p, ok := w.waypoints[key]; ok {
		return p
	}
	labels := map[string]string{
		"gateway.networking.k8s.io/gateway-name": gatewayName,
		"gateway.istio.io/managed":               "istio.io-mesh-controller",
	}
	// As the waypoint's istio-proxy announces itself: type waypoint, its pod IP and namespace.
	p := w.s.SetupProxy(&model.Proxy{
		Type:            model.Waypoint,
		ID:              pod.GetName() + "." + pod.GetNamespace(),
		IPAddresses:     []string{ip.String()},
		ConfigNamespace: pod.GetNamespace(),
		Labels:          labels,
		Metadata: &model.NodeMetadata{
			Namespace:    pod.GetNamespace(),
			Labels:       labels,
			IstioVersion: proxyVersion,
		},
	})
	w.waypoints[key] = p
	return p
}

// onMatch follows an xds.type.matcher.v3 OnMatch to the filter chain name it names.
func onMatch(om *matcher.Matcher_OnMatch, in map[string]string) (string, error) {
	if om == nil {
		return "", nil
	}
	if m := om.GetMatcher(); m != nil {
		return evalMatcher(m, in)
	}
	a := om.GetAction()
	v := &wrapperspb.StringValue{}
	if err := a.GetTypedConfig().UnmarshalTo(v); err != nil {
		return "", fmt.Errorf("matcher action %s: %w", a.GetName(), err)
	}
	return v.GetValue(), nil
}

// evalMatcher evaluates a filter-chain matcher tree with the inputs named as Istio names them
// (pilot/pkg/networking/core/match: "ip", "port", "application-protocol", ...): exact-match maps
// and the IP matcher (the most specific range wins), falling back to on_no_match.
func evalMatcher(m *matcher.Matcher, in map[string]string) (string, error) {
	tree := m.GetMatcherTree()
	if tree == nil {
		return "", fmt.Errorf("unsupported matcher %v", m)
	}
	name := tree.GetInput().GetName()
	value, ok := in[name]
	if !ok {
		return "", fmt.Errorf("matcher input %q is not known to the driver", name)
	}
	switch t := tree.GetTreeType().(type) {
	case *matcher.Matcher_MatcherTree_ExactMatchMap:
		if om, found := t.ExactMatchMap.GetMap()[value]; found {
			return onMatch(om, in)
		}
	case *matcher.Matcher_MatcherTree_CustomMatch:
		ipm := &matcher.IPMatcher{}
		if err := t.CustomMatch.GetTypedConfig().UnmarshalTo(ipm); err != nil {
			return "", fmt.Errorf("custom matcher %s: %w", t.CustomMatch.GetName(), err)
		}
		addr, err := netip.ParseAddr(value)
		if err != nil {
			return "", err
		}
		best, bestLen := (*matcher.Matcher_OnMatch)(nil), -1
		for _, rm := range ipm.GetRangeMatchers() {
			for _, r := range rm.GetRanges() {
				prefix, err := netip.ParsePrefix(r.GetAddressPrefix() + "/" + strconv.Itoa(int(r.GetPrefixLen().GetValue())))
				if err != nil {
					return "", err
				}
				if prefix.Contains(addr) && prefix.Bits() > bestLen {
					best, bestLen = rm.GetOnMatch(), prefix.Bits()
				}
			}
		}
		if best != nil {
			return onMatch(best, in)
		}
	default:
		return "", fmt.Errorf("unsupported matcher tree %T", t)
	}
	return onMatch(m.GetOnNoMatch(), in)
}

// virtualHost is Envoy's choice of virtual host for an authority: an exact domain, then the
// longest wildcard suffix, then "*" (config.route.v3.VirtualHost.domains).
func virtualHost(rc *route.RouteConfiguration, authority string) *route.VirtualHost {
	var suffix, any *route.VirtualHost
	longest := -1
	for _, vh := range rc.GetVirtualHosts() {
		for _, d := range vh.GetDomains() {
			switch {
			case d == authority:
				return vh
			case d == "*":
				any = vh
			case strings.HasPrefix(d, "*") && strings.HasSuffix(authority, d[1:]) && len(d) > longest:
				suffix, longest = vh, len(d)
			}
		}
	}
	if suffix != nil {
		return suffix
	}
	return any
}

// throughWaypoint runs a call through the waypoint of the Service it addresses.
func (w *world) throughWaypoint(c Call, res *Result) (waypointPod *workloadapi.Workload, ok bool) {
	svc, err := w.serviceByVIP(c.Address)
	if err != nil {
		res.Error = err.Error()
		return nil, false
	}
	wpHost, wpPod, err := w.waypointOf(svc)
	if err != nil {
		res.Error = err.Error()
		return nil, false
	}
	if wpPod == nil {
		return nil, true // no waypoint: straight to the pod's ztunnel
	}
	res.Waypoint = wpHost
	res.WaypointIdentity = identityOf(wpPod)
	gatewayName := strings.SplitN(wpHost, ".", 2)[0]
	proxy := w.waypointProxy(wpPod, gatewayName)
	// Not xdstest.ValidateListeners: it expects socket addresses, and waypoint listeners are
	// internal (Istio's own waypoint tests do not validate them either).
	l := xdstest.ExtractListener("main_internal", w.s.Listeners(proxy))
	if l == nil {
		res.Error = "waypoint " + wpHost + " has no main_internal listener"
		return nil, false
	}
	res.Listener = l.GetName()
	// The application protocol the waypoint's listener sees (Istio's match.go names 'http/1.1' and
	// 'h2c' for HTTP; raw TCP has none).
	proto := "'http/1.1'"
	switch c.Protocol {
	case "tcp":
		proto = ""
	case "http2", "grpc":
		proto = "'h2c'"
	}
	name, err := evalMatcher(l.GetFilterChainMatcher(), map[string]string{
		"ip": c.Address, "port": strconv.Itoa(c.Port), "application-protocol": proto,
	})
	if err != nil {
		res.Error = err.Error()
		return nil, false
	}
	var chain *listener.FilterChain
	for _, fc := range l.GetFilterChains() {
		if fc.GetName() == name {
			chain = fc
		}
	}
	if chain == nil {
		res.Error = fmt.Sprintf("waypoint %s: no filter chain for %s:%d", wpHost, c.Address, c.Port)
		return nil, false
	}
	res.FilterChain = chain.GetName()
	// No caller IP: the waypoint sees the tunnel's address, not the caller's (istio/istio#46982),
	// so a policy on addresses there is reported as not evaluated.
	in := peer{port: c.Port, principal: principalOf(c.From)}
	conn := xdstest.ExtractHTTPConnectionManager(w.t, chain)
	var req request
	if conn != nil && c.Protocol != "tcp" {
		req = newRequest(c)
		in.http = &req
	}
	authz, err := authorize(chain, conn, in)
	if err != nil {
		res.Error = err.Error()
		return nil, false
	}
	res.Authz = authz
	if !authz.Allowed {
		return wpPod, false
	}
	if c.Protocol == "tcp" {
		// A TCP chain: TCPRoute rules reach it as the tcp_proxy's (weighted) clusters.
		if conn != nil {
			res.Error = "waypoint chain " + chain.GetName() + " is HTTP, the call is TCP"
			return nil, false
		}
		if err := w.tcpProxyOf(chain, xdstest.ExtractClusters(w.s.Clusters(proxy)), res); err != nil {
			res.Error = err.Error()
			return nil, false
		}
		res.Endpoints = endpointsOf(w.s.Endpoints(proxy), res.TCP.Clusters, nil)
		return wpPod, true
	}
	if in.http == nil {
		return wpPod, true
	}
	rc := conn.GetRouteConfig()
	if rc == nil {
		res.Error = "waypoint chain " + chain.GetName() + " has no inline route configuration"
		return nil, false
	}
	res.RouteConfig = rc.GetName()
	vh := virtualHost(rc, c.Host)
	if vh == nil {
		res.Error = "no virtual host for " + c.Host
		return nil, false
	}
	res.VirtualHost = vh.GetName()
	rt, err := firstRoute(vh, req)
	if err != nil {
		res.Error = err.Error()
		return nil, false
	}
	if rt == nil {
		res.Error = simulation.ErrNoRoute.Error()
		return nil, false
	}
	sum, err := decide(rt, vh, req, res)
	if err != nil {
		res.Error = err.Error()
		return nil, false
	}
	if sum == nil || sum.Redirect != nil {
		// Answered by the waypoint itself (direct response or redirect): nothing reaches a pod.
		return nil, false
	}
	if len(sum.Clusters) == 1 {
		res.Cluster = sum.Clusters[0].Cluster
	}
	clusters := xdstest.ExtractClusters(w.s.Clusters(proxy))
	sum.ClusterSettings = map[string]*ClusterSettings{}
	for _, wc := range sum.Clusters {
		if c := clusters[wc.Cluster]; c != nil {
			if sum.ClusterSettings[wc.Cluster], err = summariseCluster(c); err != nil {
				res.Error = err.Error()
				return nil, false
			}
		}
	}
	mirrors := make([]string, 0, len(sum.Mirrors))
	for _, m := range sum.Mirrors {
		mirrors = append(mirrors, m.Cluster)
	}
	res.Endpoints = endpointsOf(w.s.Endpoints(proxy), sum.Clusters, mirrors)
	return wpPod, true
}

// endpointsOf are the endpoints istiod sends the waypoint for the routed and mirrored clusters
// (EDS): which pods each backend (a leaf Service per version) selects.
func endpointsOf(loadAssignments []*endpoint.ClusterLoadAssignment, routed []WeightedTo, mirrored []string) map[string][]string {
	eps := xdstest.ExtractLoadAssignments(loadAssignments)
	out := map[string][]string{}
	for _, wc := range routed {
		out[wc.Cluster] = slices.Sorted(slices.Values(eps[wc.Cluster]))
	}
	for _, m := range mirrored {
		out[m] = slices.Sorted(slices.Values(eps[m]))
	}
	return out
}

// isEndpoint tells whether pod address ip is among the endpoints of the route's clusters
// ("ip:port", or "connect_originate;ip:port" for one reached through HBONE).
func isEndpoint(res *Result, ip string) bool {
	var routed []WeightedTo
	if res.Route != nil {
		routed = res.Route.Clusters
	} else if res.TCP != nil {
		routed = res.TCP.Clusters
	}
	for _, wc := range routed {
		for _, e := range res.Endpoints[wc.Cluster] {
			if strings.HasPrefix(e[strings.LastIndex(e, ";")+1:], ip+":") {
				return true
			}
		}
	}
	return false
}

// policiesFor are the security.Authorization resources ztunnel applies to a workload: its
// namespace's, the root namespace's (global) and those its selector policies name.
func (w *world) policiesFor(wl *workloadapi.Workload) []model.WorkloadAuthorization {
	selected := sets.New(wl.GetAuthorizationPolicies()...)
	var out []model.WorkloadAuthorization
	for _, p := range w.s.AmbientIndex.Policies(sets.Set[model.ConfigKey]{}) {
		a := p.Authorization
		key := a.GetNamespace() + "/" + a.GetName()
		switch a.GetScope() {
		case security.Scope_GLOBAL:
			out = append(out, p)
		case security.Scope_NAMESPACE:
			if a.GetNamespace() == wl.GetNamespace() {
				out = append(out, p)
			}
		case security.Scope_WORKLOAD_SELECTOR:
			if selected.Contains(key) {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Authorization.GetNamespace()+"/"+out[i].Authorization.GetName() <
			out[j].Authorization.GetNamespace()+"/"+out[j].Authorization.GetName()
	})
	return out
}

type l4conn struct {
	principal string // with spiffe://, "" when plaintext
	namespace string
	port      uint32
	srcIP     netip.Addr
	dstIP     netip.Addr
}

func anyOf[T any](pos, neg []T, pred func(T) bool) bool {
	pm := len(pos) == 0
	for _, x := range pos {
		if pred(x) {
			pm = true
			break
		}
	}
	for _, x := range neg {
		if pred(x) {
			return false
		}
	}
	return pm
}

func stringMatches(m *security.StringMatch, v string) bool {
	switch t := m.GetMatchType().(type) {
	case *security.StringMatch_Exact:
		return v == t.Exact
	case *security.StringMatch_Prefix:
		return strings.HasPrefix(v, t.Prefix)
	case *security.StringMatch_Suffix:
		return strings.HasSuffix(v, t.Suffix)
	case *security.StringMatch_Presence:
		return v != ""
	}
	return false
}

func addrMatches(a *security.Address, ip netip.Addr) bool {
	base, ok := netip.AddrFromSlice(a.GetAddress())
	if !ok || !ip.IsValid() {
		return false
	}
	p, err := base.Prefix(int(a.GetLength()))
	return err == nil && p.Contains(ip)
}

func matchEmpty(m *security.Match) bool {
	return len(m.GetNamespaces())+len(m.GetNotNamespaces())+len(m.GetServiceAccounts())+len(m.GetNotServiceAccounts())+
		len(m.GetPrincipals())+len(m.GetNotPrincipals())+len(m.GetSourceIps())+len(m.GetNotSourceIps())+
		len(m.GetDestinationIps())+len(m.GetNotDestinationIps())+len(m.GetDestinationPorts())+len(m.GetNotDestinationPorts()) == 0
}

func matchHolds(m *security.Match, c l4conn) bool {
	id := strings.TrimPrefix(c.principal, "spiffe://")
	hasSpiffe := strings.HasPrefix(c.principal, "spiffe://")
	sa := ""
	if parts := strings.Split(id, "/"); hasSpiffe && len(parts) == 5 {
		sa = parts[4]
	}
	return anyOf(m.GetDestinationIps(), m.GetNotDestinationIps(), func(a *security.Address) bool { return addrMatches(a, c.dstIP) }) &&
		anyOf(m.GetSourceIps(), m.GetNotSourceIps(), func(a *security.Address) bool { return addrMatches(a, c.srcIP) }) &&
		anyOf(m.GetDestinationPorts(), m.GetNotDestinationPorts(), func(p uint32) bool { return p == c.port }) &&
		anyOf(m.GetServiceAccounts(), m.GetNotServiceAccounts(), func(s *security.ServiceAccountMatch) bool {
			return hasSpiffe && s.GetNamespace() == c.namespace && s.GetServiceAccount() == sa
		}) &&
		anyOf(m.GetPrincipals(), m.GetNotPrincipals(), func(s *security.StringMatch) bool {
			return hasSpiffe && stringMatches(s, id)
		}) &&
		anyOf(m.GetNamespaces(), m.GetNotNamespaces(), func(s *security.StringMatch) bool { return stringMatches(s, c.namespace) })
}

// authorizationMatches is ztunnel's Authorization::matches.
func authorizationMatches(a *security.Authorization, c l4conn) bool {
	if len(a.GetGroups()) == 0 {
		return false
	}
	for _, g := range a.GetGroups() {
		ruleMatch := true
		for _, clause := range g.GetRules() {
			clauseMatch := len(clause.GetMatches()) == 0
			for _, m := range clause.GetMatches() {
				if matchEmpty(m) {
					continue
				}
				if matchHolds(m, c) {
					clauseMatch = true
					break
				}
			}
			if !clauseMatch {
				ruleMatch = false
				break
			}
		}
		if ruleMatch {
			return true
		}
	}
	return false
}

// ztunnelAt decides a connection arriving at the pod with address dst on port from principal.
func (w *world) ztunnelAt(dst string, port int, principal, srcIP string) (*Ztunnel, error) {
	wl, err := w.workloadByIP(dst)
	if err != nil {
		return nil, err
	}
	c := l4conn{principal: principal, port: uint32(port)}
	c.dstIP, _ = netip.ParseAddr(dst)
	c.srcIP, _ = netip.ParseAddr(srcIP)
	if parts := strings.Split(strings.TrimPrefix(principal, "spiffe://"), "/"); len(parts) == 5 && parts[1] == "ns" {
		c.namespace = parts[2]
	}
	out := &Ztunnel{Source: principal, Policies: []string{}, Matched: []string{}}
	var allow, deny []*security.Authorization
	for _, p := range w.policiesFor(wl) {
		a := p.Authorization
		key := a.GetNamespace() + "/" + a.GetName()
		out.Policies = append(out.Policies, key)
		if a.GetDryRun() {
			continue
		}
		if authorizationMatches(a, c) {
			out.Matched = append(out.Matched, key)
		}
		if a.GetAction() == security.Action_DENY {
			deny = append(deny, a)
		} else {
			allow = append(allow, a)
		}
	}
	for _, a := range deny {
		if authorizationMatches(a, c) {
			out.Reason = "deny policy " + a.GetNamespace() + "/" + a.GetName() + " matched"
			return out, nil
		}
	}
	if len(allow) == 0 {
		out.Allowed, out.Reason = true, "no allow policies"
		return out, nil
	}
	for _, a := range allow {
		if authorizationMatches(a, c) {
			out.Allowed, out.Reason = true, "allow policy "+a.GetNamespace()+"/"+a.GetName()+" matched"
			return out, nil
		}
	}
	out.Reason = "no allow policy matched"
	return out, nil
}

func (w *world) ambientCall(c Call) Result {
	res := Result{ID: c.ID}
	principal, srcIP := principalOf(c.From), c.From.IP
	if c.Plaintext {
		principal = ""
	}
	// A caller outside the mesh (plaintext) is not captured by a ztunnel, so nothing sends it to the
	// waypoint: it reaches the pod directly.
	if c.Mode == "ambient" && !c.Plaintext {
		wpPod, ok := w.throughWaypoint(c, &res)
		if !ok || res.Error != "" {
			return res
		}
		if (res.Route != nil || res.TCP != nil) && c.To.IP != "" && !isEndpoint(&res, c.To.IP) {
			res.Error = fmt.Sprintf("pod %s is no endpoint of the routed clusters (%v)", c.To.IP, res.Endpoints)
			return res
		}
		if wpPod != nil {
			principal = identityOf(wpPod)
			ip, _ := netip.AddrFromSlice(wpPod.GetAddresses()[0])
			srcIP = ip.String()
		}
	}
	if c.To.IP == "" {
		return res // routing only: the test names no destination pod
	}
	port := c.TargetPort
	if port == 0 {
		port = c.Port
	}
	z, err := w.ztunnelAt(c.To.IP, port, principal, srcIP)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Ztunnel = z
	return res
}
