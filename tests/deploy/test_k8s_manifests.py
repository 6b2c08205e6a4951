"""Policy and consistency checks over the rendered Kubernetes manifests (base and overlays).

Schema validity is in test_k8s_schemas.py; these check what a schema cannot: that ports,
probes, selectors, secrets, network policies and autoscalers agree with each other and with
the system's fixed facts (facts.py).
"""

from __future__ import annotations

import re

from remedyiq_platform.contracts.subjects import STREAMS, Retention

from . import facts
from .kustomize import split_image
from .manifests import (
    COMPONENT,
    configmap_keys,
    container,
    container_port,
    env_names,
    env_value,
    named,
    of_kind,
    pod_labels,
    pod_spec,
    probes,
    quantity,
    secret_refs,
    selector_matches,
    workloads,
)
from .yamlfiles import Document

WORKLOADS = (*facts.SERVICES, "migrate")
_CREDENTIALS_IN_URL = re.compile(r"://[^/\s:@]*:[^/\s@]+@")


def _deployment(objects: list[Document], service: str) -> Document:
    return named(objects, "Deployment", f"remedyiq-{service}")


def test_every_service_has_deployment_service_and_pdb(rendered: list[Document]) -> None:
    assert set(workloads(rendered)) == set(WORKLOADS)
    for service in facts.SERVICES:
        deployment = _deployment(rendered, service)
        assert pod_labels(deployment)[COMPONENT] == service
        named(rendered, "Service", f"remedyiq-{service}")
        named(rendered, "PodDisruptionBudget", f"remedyiq-{service}")
    assert named(rendered, "Job", "remedyiq-migrate")


def test_commands_and_image(rendered: list[Document]) -> None:
    images = set()
    for component, workload in workloads(rendered).items():
        c = container(workload)
        assert "command" not in c, "the image's entrypoint (remedyiq) must stay"
        expected = ["migrate"] if component == "migrate" else ["serve", "--service", component]
        assert c["args"] == expected
        images.add(c["image"])
    assert len(images) == 1, f"one image for every workload, got {images}"


def test_probes_hit_the_declared_port(rendered: list[Document]) -> None:
    for service in facts.SERVICES:
        deployment = _deployment(rendered, service)
        found = dict(probes(deployment))
        assert set(found) == {"startupProbe", "livenessProbe", "readinessProbe"}, service
        paths = {kind: probe["httpGet"]["path"] for kind, probe in found.items()}
        assert paths == {
            "startupProbe": "/healthz",
            "livenessProbe": "/healthz",
            "readinessProbe": "/readyz",
        }
        for kind, probe in found.items():
            port = container_port(deployment, probe["httpGet"]["port"])
            assert port == facts.service_port(service), f"{service} {kind} on {port}"
        startup = found["startupProbe"]
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 60, "slow imports"
        declared = {p["containerPort"] for p in container(deployment)["ports"]}
        assert declared == {facts.service_port(service)}, f"{service} declares {declared}"
        if service != "gateway":
            assert env_value(deployment, "REMEDYIQ_HEALTH_PORT") == str(facts.HEALTH_PORT)


def test_services_select_their_pods_and_ports(rendered: list[Document]) -> None:
    for service in facts.SERVICES:
        deployment = _deployment(rendered, service)
        svc = named(rendered, "Service", f"remedyiq-{service}")
        assert selector_matches({"matchLabels": svc["spec"]["selector"]}, pod_labels(deployment))
        other_pods = [w for c, w in workloads(rendered).items() if c != service]
        for other in other_pods:
            assert not selector_matches({"matchLabels": svc["spec"]["selector"]}, pod_labels(other))
        for port in svc["spec"]["ports"]:
            assert container_port(deployment, port["targetPort"]) == port["port"]
        assert selector_matches(deployment["spec"]["selector"], pod_labels(deployment))


def test_resources_have_requests_and_limits(rendered: list[Document]) -> None:
    for component, workload in workloads(rendered).items():
        resources = container(workload)["resources"]
        for resource in ("cpu", "memory"):
            request = quantity(resources["requests"][resource])
            limit = quantity(resources["limits"][resource])
            assert 0 < request <= limit, f"{component} {resource}: {request} > {limit}"


def test_pods_are_hardened(rendered: list[Document]) -> None:
    account = named(rendered, "ServiceAccount", "remedyiq")
    assert account["automountServiceAccountToken"] is False
    for component, workload in workloads(rendered).items():
        spec = pod_spec(workload)
        assert spec["serviceAccountName"] == "remedyiq", component
        assert spec["automountServiceAccountToken"] is False, component
        # Service links would inject REMEDYIQ_<SERVICE>_PORT=tcp://... into the settings' prefix.
        assert spec["enableServiceLinks"] is False, component
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True
        assert pod_security["runAsUser"] == facts.IMAGE_UID
        assert pod_security["seccompProfile"] == {"type": "RuntimeDefault"}
        security = container(workload)["securityContext"]
        assert security["readOnlyRootFilesystem"] is True, component
        assert security["allowPrivilegeEscalation"] is False, component
        assert security["capabilities"] == {"drop": ["ALL"]}, component
        assert "privileged" not in security
        mounts = {m["mountPath"]: m["name"] for m in container(workload)["volumeMounts"]}
        volumes = {v["name"]: v for v in spec["volumes"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], f"{component}: /tmp must be an emptyDir"
        assert set(mounts) == {"/tmp"}, f"{component}: only /tmp is writable"
    namespace = of_kind(rendered, "Namespace")[0]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_pods_spread_over_zones_and_nodes(rendered: list[Document]) -> None:
    for service in facts.SERVICES:
        deployment = _deployment(rendered, service)
        constraints = pod_spec(deployment)["topologySpreadConstraints"]
        keys = {c["topologyKey"] for c in constraints}
        assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
        for constraint in constraints:
            assert selector_matches(constraint["labelSelector"], pod_labels(deployment))
            # matchLabelKeys narrows the shared selector to this service's own pods.
            assert COMPONENT in constraint["matchLabelKeys"]
            assert constraint["whenUnsatisfiable"] == "ScheduleAnyway"


def test_disruption_budgets(rendered: list[Document]) -> None:
    for service in facts.SERVICES:
        deployment = _deployment(rendered, service)
        pdb = named(rendered, "PodDisruptionBudget", f"remedyiq-{service}")["spec"]
        # minAvailable on a one-replica Deployment would block every node drain.
        assert pdb["maxUnavailable"] == 1
        assert "minAvailable" not in pdb
        assert pdb["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
        assert selector_matches(pdb["selector"], pod_labels(deployment))
        assert pdb["selector"]["matchLabels"][COMPONENT] == service


def test_graceful_shutdown_budget(rendered: list[Document]) -> None:
    for service in facts.SERVICES:
        spec = pod_spec(_deployment(rendered, service))
        grace = spec["terminationGracePeriodSeconds"]
        assert grace >= facts.MIN_GRACE_SECONDS[service], service
        pre_stop = container(_deployment(rendered, service)).get("lifecycle", {}).get("preStop")
        if pre_stop is not None:
            sleep = int(pre_stop["exec"]["command"][1])
            assert sleep + 20 <= grace, f"{service}: preStop leaves no time to drain"
    gateway = container(_deployment(rendered, "gateway"))
    assert gateway["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep"


def test_environment_is_exactly_the_settings(rendered: list[Document]) -> None:
    used: set[str] = set()
    for component, workload in workloads(rendered).items():
        names = env_names(rendered, workload)
        unknown = names - facts.SETTINGS
        assert not unknown, f"{component}: not a RemedyIQ setting: {sorted(unknown)}"
        assert names == facts.expected_env(component), component
        assert env_value(workload, "OTEL_SERVICE_NAME") == f"remedyiq-{component}"
        used |= names
    assert used == facts.SETTINGS, f"never set: {sorted(facts.SETTINGS - used)}"


def test_secrets_only_by_reference(rendered: list[Document]) -> None:
    assert not of_kind(rendered, "Secret"), "Secret values never live in the repository"
    for configmap in of_kind(rendered, "ConfigMap"):
        data = configmap.get("data") or {}
        assert not set(data) & facts.SECRET_SETTINGS, configmap["metadata"]["name"]
        for key, value in data.items():
            assert not _CREDENTIALS_IN_URL.search(value), f"credentials in {key}"
    for component, workload in workloads(rendered).items():
        refs = secret_refs(workload)
        secret_env = env_names(rendered, workload) & facts.SECRET_SETTINGS
        assert set(refs) == secret_env, f"{component}: secrets must come from secretKeyRef"
        for name, (secret, key) in refs.items():
            assert key == name, f"{component}: Secret keys are the variable names"
            expected = (
                facts.SECRET_NAMES["migrate"]
                if name in facts.MIGRATE_ONLY_SECRETS
                else facts.SECRET_NAMES["services"]
            )
            assert secret == expected, f"{component}: {name} from {secret}"
        for entry in container(workload).get("env", []):
            if entry["name"] in facts.SECRET_SETTINGS:
                assert "value" not in entry, f"{component}: literal {entry['name']}"


def test_egress_labels_follow_dependencies(rendered: list[Document]) -> None:
    for component, workload in workloads(rendered).items():
        labels = pod_labels(workload)
        granted = {
            key.removeprefix(facts.EGRESS_LABEL_PREFIX)
            for key, value in labels.items()
            if key.startswith(facts.EGRESS_LABEL_PREFIX) and value == "true"
        }
        assert granted == facts.DEPENDENCIES[component], component


def _policies(rendered: list[Document]) -> list[Document]:
    return of_kind(rendered, "NetworkPolicy")


def test_default_deny_and_dns(rendered: list[Document]) -> None:
    deny = [
        p
        for p in _policies(rendered)
        if p["spec"]["podSelector"] == {}
        and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert len(deny) == 1, "one default-deny policy for every pod"
    dns_ports = {
        (port["protocol"], port["port"])
        for p in _policies(rendered)
        if p["spec"]["podSelector"] == {}
        for rule in p["spec"].get("egress", [])
        for port in rule.get("ports", [])
    }
    assert {("UDP", 53), ("TCP", 53)} <= dns_ports


def test_only_the_gateway_accepts_traffic(rendered: list[Document]) -> None:
    gateway = _deployment(rendered, "gateway")
    with_ingress = [p for p in _policies(rendered) if p["spec"].get("ingress")]
    assert with_ingress, "the gateway must be reachable"
    for policy in with_ingress:
        for component, workload in workloads(rendered).items():
            if selector_matches(policy["spec"]["podSelector"], pod_labels(workload)):
                assert component == "gateway", f"{policy['metadata']['name']} admits {component}"
        ports = {port["port"] for rule in policy["spec"]["ingress"] for port in rule["ports"]}
        assert {container_port(gateway, port) for port in ports} == {facts.GATEWAY_PORT}


def test_egress_policies_match_dependency_ports(rendered: list[Document]) -> None:
    by_dependency: dict[str, set[int]] = {}
    for policy in _policies(rendered):
        selector = policy["spec"]["podSelector"].get("matchLabels", {})
        labels = [k for k in selector if k.startswith(facts.EGRESS_LABEL_PREFIX)]
        if not labels:
            continue
        assert len(labels) == 1
        assert selector == {labels[0]: "true"}
        assert policy["spec"]["policyTypes"] == ["Egress"]
        dependency = labels[0].removeprefix(facts.EGRESS_LABEL_PREFIX)
        assert dependency not in by_dependency, f"two policies for {dependency}"
        by_dependency[dependency] = {
            port["port"] for rule in policy["spec"]["egress"] for port in rule["ports"]
        }
    assert set(by_dependency) == set(facts.DEPENDENCY_PORTS)
    for dependency, ports in by_dependency.items():
        # Overlays may add ports (dev: MinIO on 9000) but never drop the standard ones.
        assert facts.DEPENDENCY_PORTS[dependency] <= ports, dependency


def test_autoscaling(rendered: list[Document]) -> None:
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h for h in of_kind(rendered, "HorizontalPodAutoscaler")
    }
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(rendered, "ScaledObject")}
    assert not set(hpas) & set(scaled), "KEDA owns its own HPA: never both on one Deployment"
    assert set(hpas) == {f"remedyiq-{s}" for s in facts.HPA_SERVICES}
    assert set(scaled) == {f"remedyiq-{s}" for s in facts.KEDA_CONSUMERS}
    for name, hpa in hpas.items():
        spec = hpa["spec"]
        assert spec["scaleTargetRef"]["kind"] == "Deployment"
        assert 1 <= spec["minReplicas"] <= spec["maxReplicas"], name
        assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]
    for service, (stream, consumer) in facts.KEDA_CONSUMERS.items():
        spec = scaled[f"remedyiq-{service}"]["spec"]
        assert 0 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        assert spec["minReplicaCount"] <= spec["fallback"]["replicas"] <= spec["maxReplicaCount"]
        (trigger,) = spec["triggers"]
        assert trigger["type"] == "nats-jetstream"
        metadata = trigger["metadata"]
        assert (metadata["stream"], metadata["consumer"]) == (stream, consumer)
        host, _, port = metadata["natsServerMonitoringEndpoint"].rpartition(":")
        assert int(port) == facts.NATS_MONITOR_PORT
        nats_host = re.sub(r"^nats://|:\d+$", "", _nats_url(rendered))
        service_name, _, domain = nats_host.partition(".")
        # The headless Service of the same NATS install as the client URL.
        assert host == f"{service_name}-headless.{domain}", host
    for name in (*hpas, *scaled):
        assert "replicas" not in named(rendered, "Deployment", name)["spec"], (
            f"{name}: the autoscaler owns replicas (kubectl apply would reset them)"
        )


def _nats_url(rendered: list[Document]) -> str:
    url: str = named(rendered, "ConfigMap", "remedyiq-config")["data"]["REMEDYIQ_NATS_URL"]
    return url


def test_scaled_streams_are_work_queues_of_the_registry() -> None:
    for stream, _consumer in facts.KEDA_CONSUMERS.values():
        assert stream in STREAMS, f"{stream} is not in remedyiq_platform.contracts.subjects"
        assert STREAMS[stream].retention is Retention.WORK_QUEUE


def test_migration_job(rendered: list[Document]) -> None:
    job = named(rendered, "Job", "remedyiq-migrate")
    spec = job["spec"]
    assert 0 < spec["backoffLimit"] <= 3
    assert spec["ttlSecondsAfterFinished"] > 0
    assert spec["activeDeadlineSeconds"] > 0
    assert pod_spec(job)["restartPolicy"] == "Never"
    assert set(secret_refs(job)) >= facts.MIGRATE_ONLY_SECRETS
    for service in facts.SERVICES:
        refs = secret_refs(_deployment(rendered, service))
        assert not set(refs) & facts.MIGRATE_ONLY_SECRETS, f"{service} must not get the owner DSN"


def test_one_namespace(rendered: list[Document]) -> None:
    (namespace,) = of_kind(rendered, "Namespace")
    name = namespace["metadata"]["name"]
    for obj in rendered:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == name, obj["metadata"]["name"]


def test_configmaps_cover_envfrom(rendered: list[Document]) -> None:
    assert configmap_keys(rendered, "remedyiq-config") == facts.COMMON_SETTINGS
    assert configmap_keys(rendered, "remedyiq-gateway-config") == facts.AUTH_SETTINGS


def test_overlay_images(rendered_all: dict[str, list[Document]]) -> None:
    def images(name: str) -> set[str]:
        return {container(w)["image"] for w in workloads(rendered_all[name]).values()}

    assert images("base") == {facts.IMAGE_NAME}
    assert images("dev") == {f"{facts.IMAGE_NAME}:dev"}
    (production,) = images("production")
    name, tag, digest = split_image(production)
    assert "/" in name, "production pulls from a registry"
    assert (tag and tag != "latest") or digest, "production pins a tag or digest"


def test_overlays_scale_differently(rendered_all: dict[str, list[Document]]) -> None:
    def minimum(name: str, kind: str, field: str, target: str) -> int:
        value: int = named(rendered_all[name], kind, target)["spec"][field]
        return value

    for service in facts.KEDA_CONSUMERS:
        target = f"remedyiq-{service}"
        assert minimum("dev", "ScaledObject", "minReplicaCount", target) == 0
        assert minimum("production", "ScaledObject", "minReplicaCount", target) >= 2
    for service in facts.HPA_SERVICES:
        target = f"remedyiq-{service}"
        assert minimum("production", "HorizontalPodAutoscaler", "minReplicas", target) >= 2
    assert minimum("production", "HorizontalPodAutoscaler", "minReplicas", "remedyiq-gateway") >= 3
