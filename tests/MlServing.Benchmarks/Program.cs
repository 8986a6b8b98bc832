using BenchmarkDotNet.Running;

namespace MlServing.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/MlServing.Benchmarks -- --filter '*'</c>, or
/// <c>-- interleaved NAME</c> for <see cref="InterleavedComparison"/>.
/// </summary>
public static class BenchmarkProgram
{
    public static async Task Main(string[] args)
    {
        if (args is ["interleaved", .. var rest])
        {
            await InterleavedComparison.RunAsync(rest);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
    }
}
