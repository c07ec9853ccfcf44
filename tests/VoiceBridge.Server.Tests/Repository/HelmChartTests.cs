using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using VoiceBridge.Server.Cluster;
using YamlDotNet.RepresentationModel;

namespace VoiceBridge.Server.Tests.Repository;

/// <summary>
/// The Helm chart under deploy/helm/voicebridge, rendered offline with its default values (no helm binary and no
/// cluster here: the templates use plain value substitution only, which <see cref="Render"/> does and which fails on
/// anything else) and read back as YAML: what a rollout relies on to drop no call — probes on the right endpoints, a
/// preStop pause, a grace period longer than the drain, an ingress that keeps WebSockets for an hour unbuffered, no
/// pod taken down before its replacement is ready — and every setting it passes named as the server spells it.
/// </summary>
public sealed partial class HelmChartTests
{
    private static readonly string Chart = Path.GetFullPath(Path.Combine(TestFixtures.Directory, "..", "..", "deploy", "helm", "voicebridge"));
    private const string Release = "vb";

    [Fact]
    public void Deployment_ProbesReadinessAndLiveness_PausesBeforeStop_OutlastsTheDrain()
    {
        var container = Container(Rendered("deployment.yaml"));
        var pod = Map(Rendered("deployment.yaml"), "spec", "template", "spec");

        Assert.Equal("/readyz", Scalar(container, "readinessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Scalar(container, "livenessProbe", "httpGet", "path"));
        Assert.Equal("/healthz", Scalar(container, "startupProbe", "httpGet", "path"));
        Assert.Equal("http", Scalar(container, "readinessProbe", "httpGet", "port"));

        var env = Env(container);
        var preStop = int.Parse(Scalar(container, "lifecycle", "preStop", "sleep", "seconds"), CultureInfo.InvariantCulture);
        var drain = int.Parse(env["Shutdown__DrainSeconds"], CultureInfo.InvariantCulture);
        var close = int.Parse(env["Shutdown__CloseSeconds"], CultureInfo.InvariantCulture);
        var grace = int.Parse(Scalar(pod, "terminationGracePeriodSeconds"), CultureInfo.InvariantCulture);
        Assert.True(preStop > 0, "no preStop pause: the pod would start draining while the ingress still sends it calls");
        Assert.True(grace > preStop + drain + close,
            $"terminationGracePeriodSeconds {grace} must outlast preStop {preStop} + Shutdown:DrainSeconds {drain} + Shutdown:CloseSeconds {close}, or the kubelet kills calls the drain keeps");

        // A rollout never has fewer ready pods than replicas: the new pod is ready before an old one drains.
        var rolling = Map(Rendered("deployment.yaml"), "spec", "strategy", "rollingUpdate");
        Assert.Equal("0", Scalar(rolling, "maxUnavailable"));
    }

    [Fact]
    public void Deployment_RunsTheSharedMode_SecretsFromTheSecret_EverySettingNamedAsTheServerSpellsIt()
    {
        var container = Container(Rendered("deployment.yaml"));
        var env = Env(container);
        var fromSecret = EnvFromSecret(container);

        Assert.Contains("Cluster__Redis", fromSecret);
        Assert.Equal("Postgres", env["Audit__Sink"]);
        foreach (var secret in new[] { "Audit__ConnectionString", "Audit__SigningKey", "Audit__AdminKeys", "Twilio__AuthToken", "Browser__TokenSecret", "OPENAI_API_KEY" })
        {
            Assert.Contains(secret, fromSecret);
            Assert.False(env.ContainsKey(secret), $"{secret} is a plain value in the manifest");
        }

        // The pod's name is its instance id: what GET /calls and the logs show.
        var instance = Map(((YamlSequenceNode)container.Children[new YamlScalarNode("env")]).Children.OfType<YamlMappingNode>()
            .Single(e => Scalar(e, "name") == "Cluster__InstanceId"), "valueFrom", "fieldRef");
        Assert.Equal("metadata.name", Scalar(instance, "fieldPath"));
        Assert.True(int.Parse(env["Cluster__DirectoryTtlSeconds"], CultureInfo.InvariantCulture) is >= 3 and <= 300);

        // Section__Key must be a property of the options class bound to that section, or the setting is silently ignored.
        var sections = typeof(ClusterOptions).Assembly.GetTypes()
            .Select(type => (type, field: type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
            .Where(pair => pair.field is { IsLiteral: true })
            .ToDictionary(pair => (string)pair.field!.GetRawConstantValue()!, pair => pair.type, StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        var names = ((YamlSequenceNode)container.Children[new YamlScalarNode("env")]).Children.OfType<YamlMappingNode>().Select(e => Scalar(e, "name"));
        foreach (var name in names.Where(name => name.Contains("__", StringComparison.Ordinal)))
        {
            var parts = name.Split("__");
            if (!sections.TryGetValue(parts[0], out var options))
            {
                unknown.Add(name + " (no section " + parts[0] + ")");
            }
            else if (options.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is null)
            {
                unknown.Add($"{name} ({options.Name} has no {parts[1]})");
            }
        }

        Assert.True(unknown.Count == 0, "settings the server does not read: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Ingress_KeepsWebSocketsForAnHour_Unbuffered_RetriesRefusalsElsewhere()
    {
        var annotations = Map(Rendered("ingress.yaml"), "metadata", "annotations");
        foreach (var timeout in new[] { "proxy-read-timeout", "proxy-send-timeout" })
        {
            var seconds = int.Parse(Scalar(annotations, "nginx.ingress.kubernetes.io/" + timeout), CultureInfo.InvariantCulture);
            Assert.True(seconds >= 3600, $"{timeout} {seconds} s: a quiet call's WebSocket would be cut before an hour");
        }

        Assert.Equal("off", Scalar(annotations, "nginx.ingress.kubernetes.io/proxy-buffering"));
        Assert.Equal("off", Scalar(annotations, "nginx.ingress.kubernetes.io/proxy-request-buffering"));
        // A full or draining pod answers 503: tried on another pod, the webhook's POST included.
        Assert.Contains("http_503", Scalar(annotations, "nginx.ingress.kubernetes.io/proxy-next-upstream"), StringComparison.Ordinal);
        Assert.Contains("non_idempotent", Scalar(annotations, "nginx.ingress.kubernetes.io/proxy-next-upstream"), StringComparison.Ordinal);

        var backend = Map((YamlMappingNode)((YamlSequenceNode)Map((YamlMappingNode)((YamlSequenceNode)Map(Rendered("ingress.yaml"), "spec")
            .Children[new YamlScalarNode("rules")]).Children[0], "http").Children[new YamlScalarNode("paths")]).Children[0], "backend", "service");
        Assert.Equal(Release, Scalar(backend, "name"));
        Assert.Equal("http", Scalar(backend, "port", "name"));
    }

    [Fact]
    public void ServiceBudgetAndAutoscaler_SelectTheDeploymentsPods_ScaleOnLiveCalls()
    {
        var podLabels = Map(Rendered("deployment.yaml"), "spec", "template", "metadata", "labels");
        var container = Container(Rendered("deployment.yaml"));
        var ports = ((YamlSequenceNode)container.Children[new YamlScalarNode("ports")]).Children.OfType<YamlMappingNode>().Select(p => Scalar(p, "name"));

        var service = Rendered("service.yaml");
        AssertSelects(Map(service, "spec", "selector"), podLabels, "Service");
        Assert.Contains(Scalar((YamlMappingNode)((YamlSequenceNode)Map(service, "spec").Children[new YamlScalarNode("ports")]).Children[0], "targetPort"), ports);
        Assert.False(Map(service, "spec").Children.ContainsKey(new YamlScalarNode("sessionAffinity")) && Scalar(Map(service, "spec"), "sessionAffinity") != "None",
            "the Service must not pin clients: any request may land on any pod");

        var budget = Rendered("poddisruptionbudget.yaml");
        AssertSelects(Map(budget, "spec", "selector", "matchLabels"), podLabels, "PodDisruptionBudget");
        Assert.Equal("1", Scalar(Map(budget, "spec"), "maxUnavailable"));

        var hpa = Rendered("hpa.yaml");
        Assert.Equal("Deployment", Scalar(hpa, "spec", "scaleTargetRef", "kind"));
        Assert.Equal(Release, Scalar(hpa, "spec", "scaleTargetRef", "name"));
        var metric = (YamlMappingNode)((YamlSequenceNode)Map(hpa, "spec").Children[new YamlScalarNode("metrics")]).Children[0];
        Assert.Equal("Pods", Scalar(metric, "type"));
        // voicebridge.calls.active as Prometheus names it (dots to underscores, the {call} unit dropped).
        Assert.Equal("voicebridge_calls_active", Scalar(metric, "pods", "metric", "name"));
        var perPod = int.Parse(Scalar(metric, "pods", "target", "averageValue"), CultureInfo.InvariantCulture);
        var max = int.Parse(Env(container)["Session__MaxConcurrentCalls"], CultureInfo.InvariantCulture);
        Assert.True(perPod < max, $"the autoscaler aims at {perPod} calls a pod, not below Session:MaxConcurrentCalls {max}: pods would be full before it scales");
        Assert.True(int.Parse(Scalar(hpa, "spec", "minReplicas"), CultureInfo.InvariantCulture) >= 2, "one pod cannot restart without dropping calls");
    }

    [Fact]
    public void Render_RefusesWhatItDoesNotUnderstand()
    {
        var values = Values();
        Assert.Throws<InvalidOperationException>(() => Render("a: {{ .Values.nope }}", values));
        Assert.Throws<InvalidOperationException>(() => Render("{{ if .Values.replicaCount }}x{{ end }}", values));
        Assert.Equal("a: \"3\"", Render("a: {{ .Values.replicaCount | quote }}", values));
    }

    private static void AssertSelects(YamlMappingNode selector, YamlMappingNode labels, string what)
    {
        foreach (var (key, value) in selector.Children)
        {
            Assert.True(labels.Children.TryGetValue(key, out var label) && label.ToString() == value.ToString(), $"{what} selects {key}={value}, which the pods do not carry");
        }
    }

    private static YamlMappingNode Rendered(string template)
    {
        var text = Render(File.ReadAllText(Path.Combine(Chart, "templates", template)), Values());
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static YamlMappingNode Values()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Chart, "values.yaml"))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    // {{ .Release.Name }} and {{ .Values.a.b }} with an optional "| quote"; anything else is a template this renderer
    // cannot stand in for, and fails.
    private static string Render(string template, YamlMappingNode values)
    {
        var rendered = Action().Replace(template, match => Substitute(match, values));
        return rendered.Contains("{{", StringComparison.Ordinal)
            ? throw new InvalidOperationException("unsupported template action left in: " + rendered)
            : rendered;
    }

    private static string Substitute(Match match, YamlMappingNode values)
    {
        var expression = match.Groups["path"].Value;
        string value;
        if (expression == ".Release.Name")
        {
            value = Release;
        }
        else if (expression.StartsWith(".Values.", StringComparison.Ordinal))
        {
            YamlNode node = values;
            foreach (var key in expression[".Values.".Length..].Split('.'))
            {
                node = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child)
                    ? child
                    : throw new InvalidOperationException($"{expression}: no such value in values.yaml");
            }

            value = node is YamlScalarNode scalar ? scalar.Value ?? "" : throw new InvalidOperationException($"{expression} is not a scalar");
        }
        else
        {
            throw new InvalidOperationException($"unsupported template action {match.Value}");
        }

        return match.Groups["quote"].Success ? "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : value;
    }

    [GeneratedRegex(@"\{\{-?\s*(?<path>[^\s|}]+)\s*(?<quote>\|\s*quote\s*)?-?\}\}")]
    private static partial Regex Action();

    private static YamlMappingNode Container(YamlMappingNode deployment) =>
        (YamlMappingNode)Assert.Single(((YamlSequenceNode)Map(deployment, "spec", "template", "spec").Children[new YamlScalarNode("containers")]).Children);

    private static Dictionary<string, string> Env(YamlMappingNode container) =>
        ((YamlSequenceNode)container.Children[new YamlScalarNode("env")]).Children.OfType<YamlMappingNode>()
            .Where(e => e.Children.ContainsKey(new YamlScalarNode("value")))
            .ToDictionary(e => Scalar(e, "name"), e => Scalar(e, "value"));

    private static HashSet<string> EnvFromSecret(YamlMappingNode container) =>
        ((YamlSequenceNode)container.Children[new YamlScalarNode("env")]).Children.OfType<YamlMappingNode>()
            .Where(e => e.Children.TryGetValue(new YamlScalarNode("valueFrom"), out var from) && ((YamlMappingNode)from).Children.ContainsKey(new YamlScalarNode("secretKeyRef")))
            .Select(e => Scalar(e, "name"))
            .ToHashSet();

    private static YamlMappingNode Map(YamlMappingNode node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode map
                ? map
                : throw new Xunit.Sdk.XunitException($"no mapping '{key}' in the rendered manifest");
        }

        return node;
    }

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        var parent = Map(node, path[..^1]);
        return parent.Children.TryGetValue(new YamlScalarNode(path[^1]), out var value) && value is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : throw new Xunit.Sdk.XunitException($"no value '{string.Join('.', path)}' in the rendered manifest");
    }
}
