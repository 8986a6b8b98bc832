using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlServing.Api.Security;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Deployment;

/// <summary>
/// Renders every kustomize overlay and checks the probes and ports against the real service: the paths answer
/// as Kubernetes expects (ready only after models load, live throughout) and the ports agree. The API keys Secret is
/// mounted where the ConfigMap's <c>MlServing__Auth__KeysFile</c> points, and as shipped it turns nothing on.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed partial class KubernetesManifestTests
{
    private static string RepositoryRoot() => SourceTree.Root();

    public static TheoryData<string> Overlays()
    {
        var data = new TheoryData<string>();
        foreach (var overlay in Directory.GetDirectories(Path.Combine(RepositoryRoot(), "deploy", "overlays")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(overlay));
        }

        return data;
    }

    private static async Task<string> RenderAsync(string overlay)
    {
        var info = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("kustomize");
        info.ArgumentList.Add(Path.Combine(RepositoryRoot(), "deploy", "overlays", overlay));
        using var kubectl = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
        var output = await kubectl.StandardOutput.ReadToEndAsync();
        var errors = await kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {overlay} failed: {errors}");
        return output;
    }

    /// <summary>The mlserving Deployment's document from a multi-document render.</summary>
    private static string ServingDeployment(string rendered) =>
        Document(rendered, "Deployment");

    private static string Document(string rendered, string kind) =>
        rendered.Split("\n---\n").Single(d => d.Contains($"\nkind: {kind}\n", StringComparison.Ordinal) && NameLine().IsMatch(d));

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Overlay_ProbesAndPorts_MatchWhatTheServiceAnswers(string overlay)
    {
        var rendered = await RenderAsync(overlay);
        var deployment = ServingDeployment(rendered);

        var probes = ProbeBlock().Matches(deployment).ToDictionary(m => m.Groups["kind"].Value, m => (Path: m.Groups["path"].Value, Port: m.Groups["port"].Value));
        Assert.Equal("/health/ready", probes["startupProbe"].Path);
        Assert.Equal("/health/ready", probes["readinessProbe"].Path);
        Assert.Equal("/health/live", probes["livenessProbe"].Path);
        var containerPorts = ContainerPort().Matches(deployment).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["port"].Value);
        var containerPort = ContainerPort().Match(deployment);
        Assert.True(containerPort.Success, "no named container port");
        Assert.Equal("8080", containerPort.Groups["port"].Value);

        // gRPC: the container port named grpc is the configured MlServing:Grpc:Port, and the Service exposes it.
        Assert.True(containerPorts.TryGetValue("grpc", out var grpcPort), "no container port named grpc");
        Assert.Equal(ConfigValue(rendered, "MlServing__Grpc__Port"), grpcPort);
        Assert.Contains(ServicePort().Matches(Document(rendered, "Service")), m => m.Groups["name"].Value == "grpc" && (m.Groups["target"].Value == "grpc" || m.Groups["target"].Value == grpcPort));
        Assert.All(probes.Values, p => Assert.True(p.Port == containerPort.Groups["name"].Value || p.Port == "8080", $"probe port {p.Port}"));
        var serviceManifest = Document(rendered, "Service");
        var targetPort = TargetPort().Match(serviceManifest).Groups["port"].Value;
        Assert.True(targetPort == containerPort.Groups["name"].Value || targetPort == "8080", $"Service targetPort {targetPort} is not the container port");

        var drain = int.Parse(ConfigValue(rendered, "MlServing__Shutdown__DrainDelaySeconds"), CultureInfo.InvariantCulture);
        var timeout = int.Parse(ConfigValue(rendered, "MlServing__Shutdown__TimeoutSeconds"), CultureInfo.InvariantCulture);
        var grace = int.Parse(GracePeriod().Match(deployment).Groups["seconds"].Value, CultureInfo.InvariantCulture);
        var preStop = PreStopSleep().Match(deployment) is { Success: true } pause ? int.Parse(pause.Groups["seconds"].Value, CultureInfo.InvariantCulture) : 0;
        Assert.True(grace > preStop + drain + timeout, $"terminationGracePeriodSeconds {grace} does not cover preStop {preStop} s + drain {drain} s + shutdown {timeout} s");
        Assert.Contains("readOnlyRootFilesystem: true", deployment, StringComparison.Ordinal);
        Assert.Contains("runAsNonRoot: true", deployment, StringComparison.Ordinal);
        Assert.Contains("allowPrivilegeEscalation: false", deployment, StringComparison.Ordinal);

        // The keys file the pods read is the Secret's, mounted where the ConfigMap points.
        var keysFile = Path.Combine(Path.GetTempPath(), $"mlserving-keys-{overlay}-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(keysFile, MountedSecretFile(rendered, deployment, ConfigValue(rendered, "MlServing__Auth__KeysFile")));

        // The real service with that file: live at once, not ready until its models are loaded, then ready; the
        // shipped (empty) keys file leaves every route open, so the load call needs no key.
        await using var service = ServiceProcess.Start(new Dictionary<string, string?>
        {
            ["MlServing__ModelRepository__Path"] = Path.Combine(AppContext.BaseDirectory, "models"),
            ["MlServing__ModelRepository__LoadOnStartup"] = "false",
            ["MlServing__Auth__KeysFile"] = keysFile,
            ["Serilog__MinimumLevel__Default"] = "Warning",
        });
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await service.WaitForAsync(client, probes["livenessProbe"].Path);
        using (var ready = await client.GetAsync(new Uri(service.BaseAddress, probes["readinessProbe"].Path)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }

        using (var load = await client.PostAsync(new Uri(service.BaseAddress, "/v2/repository/models/wine-classifier/load"), null))
        {
            Assert.Equal(HttpStatusCode.OK, load.StatusCode);
        }

        foreach (var probe in probes.Values)
        {
            using var response = await client.GetAsync(new Uri(service.BaseAddress, probe.Path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        File.Delete(keysFile);
    }

    /// <summary>The content of the Secret file mounted at <paramref name="path"/>, checked link by link: mount → volume → Secret → key.</summary>
    private static string MountedSecretFile(string rendered, string deployment, string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        var mount = VolumeMount().Matches(deployment).SingleOrDefault(m => m.Groups["path"].Value == directory);
        Assert.True(mount is not null, $"nothing is mounted at {directory}, where MlServing__Auth__KeysFile points");
        Assert.Contains("readOnly: true", mount.Value, StringComparison.Ordinal);
        var volume = SecretVolume().Matches(deployment).SingleOrDefault(m => m.Groups["name"].Value == mount.Groups["name"].Value);
        Assert.True(volume is not null, $"volume {mount.Groups["name"].Value} is not a Secret volume");
        var secretName = volume.Groups["secret"].Value;
        var secret = rendered.Split("\n---\n").SingleOrDefault(d => d.Contains("\nkind: Secret\n", StringComparison.Ordinal) && d.Contains($"\n  name: {secretName}\n", StringComparison.Ordinal));
        Assert.True(secret is not null, $"the Secret {secretName} is not rendered");
        var data = SecretData().Match(secret);
        Assert.True(data.Success && data.Groups["key"].Value == Path.GetFileName(path), $"the Secret {secretName} has no {Path.GetFileName(path)}");
        return Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(data.Groups["value"].Value.Split((char[])['\n', ' ', '|'], StringSplitOptions.RemoveEmptyEntries))));
    }

    [Fact]
    public void Compose_MountsTheShippedKeysFile_WhereEachServicesSettingPoints_AndItTurnsNothingOn()
    {
        var root = RepositoryRoot();
        var compose = File.ReadAllText(Path.Combine(root, "docker-compose.yml"));

        var settings = ComposeKeysFile().Matches(compose);
        Assert.Equal(2, settings.Count);
        foreach (var path in settings.Select(m => m.Groups["path"].Value))
        {
            Assert.Contains($"- ./deploy/base/api-keys:{Path.GetDirectoryName(path)}:ro", compose, StringComparison.Ordinal);
            Assert.Equal("keys.json", Path.GetFileName(path));
        }

        var options = new AuthOptions { KeysFile = Path.Combine(root, "deploy", "base", "api-keys", "keys.json") };
        using var store = new ApiKeyStore(Options.Create(options), NullLogger<ApiKeyStore>.Instance);
        Assert.False(store.Enabled);
    }

    [Fact]
    public void BothImages_BuildWithTheSamePublishScript()
    {
        var root = RepositoryRoot();
        Assert.Contains("RUN docker/publish.sh /app", File.ReadAllText(Path.Combine(root, "Dockerfile")), StringComparison.Ordinal);
        Assert.Contains("RUN docker/publish.sh /app -p:UseGpu=true", File.ReadAllText(Path.Combine(root, "docker", "Dockerfile.gpu")), StringComparison.Ordinal);
        Assert.Contains("dotnet publish src/MlServing.Api/MlServing.Api.csproj -c Release", File.ReadAllText(Path.Combine(root, "docker", "publish.sh")), StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8080 8081", File.ReadAllText(Path.Combine(root, "Dockerfile")), StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8080 8081", File.ReadAllText(Path.Combine(root, "docker", "Dockerfile.gpu")), StringComparison.Ordinal);
        Assert.Contains("\"8081:8081\"", File.ReadAllText(Path.Combine(root, "docker-compose.yml")), StringComparison.Ordinal);
    }

    private static string ConfigValue(string rendered, string key)
    {
        var match = Regex.Match(rendered, $@"^\s+{Regex.Escape(key)}: ""?(?<value>[^""\n]+)""?$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{key} is not in the rendered ConfigMap");
        return match.Groups["value"].Value;
    }

    [GeneratedRegex(@"^  name: mlserving$", RegexOptions.Multiline)]
    private static partial Regex NameLine();

    [GeneratedRegex(@"(?<kind>startupProbe|readinessProbe|livenessProbe):\s+(?:\w+: \d+\s+)*httpGet:\s+path: (?<path>\S+)\s+port: (?<port>\S+)")]
    private static partial Regex ProbeBlock();

    [GeneratedRegex(@"- containerPort: (?<port>\d+)\s+name: (?<name>\S+)")]
    private static partial Regex ContainerPort();

    [GeneratedRegex(@"- (?:appProtocol: \S+\s+)?name: (?<name>\S+)\s+port: (?<port>\d+)\s+(?:protocol: \S+\s+)?targetPort: (?<target>\S+)")]
    private static partial Regex ServicePort();

    [GeneratedRegex(@"targetPort: (?<port>\S+)")]
    private static partial Regex TargetPort();

    [GeneratedRegex(@"preStop:\s+sleep:\s+seconds: (?<seconds>\d+)")]
    private static partial Regex PreStopSleep();

    [GeneratedRegex(@"terminationGracePeriodSeconds: (?<seconds>\d+)")]
    private static partial Regex GracePeriod();

    [GeneratedRegex(@"MlServing__Auth__KeysFile: (?<path>\S+)")]
    private static partial Regex ComposeKeysFile();

    [GeneratedRegex(@"- mountPath: (?<path>\S+)\s+name: (?<name>\S+)(\s+readOnly: true)?")]
    private static partial Regex VolumeMount();

    [GeneratedRegex(@"- name: (?<name>\S+)\s+secret:\s+secretName: (?<secret>\S+)")]
    private static partial Regex SecretVolume();

    [GeneratedRegex(@"^data:\n  (?<key>[\w.-]+): (?<value>\|\n(?:    \S+\n)+|\S+\n)", RegexOptions.Multiline)]
    private static partial Regex SecretData();
}
