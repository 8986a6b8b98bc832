using System.Text.RegularExpressions;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Deployment;

/// <summary>
/// The alert rules (deploy/prometheus/alerts.yml) are valid and behave as their unit tests say (promtool), Prometheus in
/// compose loads them, and the PrometheusRule of the servicemonitor component carries the same rules and renders.
/// </summary>
public sealed partial class AlertRulesTests
{
    private static readonly string Root = SourceTree.Root();
    private static readonly string Prometheus = Path.Combine(Root, "deploy", "prometheus");

    private static readonly string[] Alerts =
    [
        "MlServingHighLatencyP99", "MlServingHighErrorRatio", "MlServingModelNotReady", "MlServingFeatureDrift",
        "MlServingQueueNearlyFull", "MlServingCacheDegraded", "MlServingAccuracyBelowFloor",
    ];

    /// <summary>The <c>groups:</c> document inside a PrometheusRule's <c>spec:</c>, de-indented.</summary>
    private static string SpecGroups(string manifest)
    {
        var lines = manifest.Split('\n');
        var start = Array.FindIndex(lines, l => l.TrimEnd() == "spec:") + 1;
        var body = lines.Skip(start).TakeWhile(l => l.Length == 0 || l.StartsWith("  ", StringComparison.Ordinal));
        return string.Join('\n', body.Select(l => l.Length >= 2 ? l[2..] : l)).Trim() + "\n";
    }

    private static async Task CheckRulesAsync(string path)
    {
        var (exitCode, output) = await Tool.RunAsync("promtool", null, "check", "rules", path);
        Assert.True(exitCode == 0, "promtool check rules:\n" + output);
        Assert.Contains($"SUCCESS: {Alerts.Length} rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlertRules_PassPromtoolCheck_AndTheirUnitTests()
    {
        await CheckRulesAsync(Path.Combine(Prometheus, "alerts.yml"));
        var (exitCode, output) = await Tool.RunAsync("promtool", Prometheus, "test", "rules", "alerts.test.yml");
        Assert.True(exitCode == 0, "promtool test rules:\n" + output);

        var rules = await File.ReadAllTextAsync(Path.Combine(Prometheus, "alerts.yml"));
        var tests = await File.ReadAllTextAsync(Path.Combine(Prometheus, "alerts.test.yml"));
        Assert.Equal(Alerts, AlertName().Matches(rules).Select(m => m.Groups["name"].Value));
        Assert.All(Alerts, alert => Assert.Contains("alertname: " + alert, tests, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PrometheusRule_CarriesTheSameRules_AndTheComponentRenders()
    {
        var alerts = await File.ReadAllTextAsync(Path.Combine(Prometheus, "alerts.yml"));
        var component = Path.Combine(Root, "deploy", "components", "servicemonitor");
        var source = await File.ReadAllTextAsync(Path.Combine(component, "prometheusrule.yaml"));
        Assert.Equal(alerts[alerts.IndexOf("groups:", StringComparison.Ordinal)..], SpecGroups(source));

        // An overlay of the base with the component: the rendered PrometheusRule is still a valid rule file.
        var overlay = Directory.CreateTempSubdirectory("mlserving-overlay-").FullName;
        try
        {
            var relative = Path.GetRelativePath(overlay, Root);
            await File.WriteAllTextAsync(Path.Combine(overlay, "kustomization.yaml"), $"resources:\n  - {relative}/deploy/base\ncomponents:\n  - {relative}/deploy/components/servicemonitor\n");
            var (exitCode, rendered) = await Tool.RunAsync("kubectl", null, "kustomize", overlay);
            Assert.True(exitCode == 0, "kubectl kustomize:\n" + rendered);
            var rule = rendered.Split("\n---\n").Single(d => d.Contains("\nkind: PrometheusRule\n", StringComparison.Ordinal));
            var file = Path.Combine(overlay, "rendered-rules.yml");
            await File.WriteAllTextAsync(file, SpecGroups(rule));
            await CheckRulesAsync(file);
        }
        finally
        {
            Directory.Delete(overlay, recursive: true);
        }
    }

    [Fact]
    public async Task PrometheusInCompose_LoadsTheAlertRules()
    {
        var config = await File.ReadAllTextAsync(Path.Combine(Prometheus, "prometheus.yml"));
        Assert.Matches(@"rule_files:\s+- /etc/prometheus/alerts\.yml", config);
        var compose = await File.ReadAllTextAsync(Path.Combine(Root, "docker-compose.yml"));
        Assert.Contains("./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro", compose, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"- alert: (?<name>\w+)")]
    private static partial Regex AlertName();
}
