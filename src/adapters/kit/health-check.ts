/**
 * What a mesh without active health checking says of BackendPolicy `healthCheck`: Kubernetes
 * readiness is how its proxies learn an instance is unhealthy (a pod that fails its readiness
 * probe leaves the Service's endpoints), so the same probe belongs on the pods. The probe fields
 * line up one to one (Kubernetes Probe: httpGet.path/port, grpc.port, tcpSocket.port,
 * periodSeconds, timeoutSeconds, successThreshold, failureThreshold;
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#Probe).
 */
export const READINESS_INSTEAD =
  "give the pods a readinessProbe with the same check (httpGet path and port for http, grpc for grpc, tcpSocket for tcp; periodSeconds = interval, timeoutSeconds = timeout, successThreshold = healthyThreshold, failureThreshold = unhealthyThreshold): the kubelet runs it on each pod's node, and the mesh sends nothing to pods that are not ready";

export const PROBE_DOCS =
  'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/';
