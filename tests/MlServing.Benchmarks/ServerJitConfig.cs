using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace MlServing.Benchmarks;

/// <summary>
/// The service runs with tiered compilation off (<c>MlServing.Api.csproj</c>); benchmarks of its request path do the
/// same, so they measure the code the server runs rather than tier-0 code waiting to be promoted.
/// </summary>
public sealed class ServerJitConfig : ManualConfig
{
    public ServerJitConfig() => AddJob(Job.Default.WithEnvironmentVariable("DOTNET_TieredCompilation", "0").WithId("ServerJit"));
}
