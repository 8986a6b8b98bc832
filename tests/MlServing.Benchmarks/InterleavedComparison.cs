using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MlServing.Benchmarks;

/// <summary>
/// Variants of the service's configuration compared in one process, interleaved in short chunks (the order rotating
/// each round) so that a noisy machine's drift hits every variant alike: per variant the median CPU time and managed
/// bytes per request over the rounds, and the median of the per-round ratios to the first variant.
/// <c>dotnet run -c Release --project tests/MlServing.Benchmarks -- interleaved security|monitoring [rounds] [requests per chunk]</c>.
/// </summary>
public static class InterleavedComparison
{
    public static async Task RunAsync(string[] args)
    {
        var comparison = args.Length > 0 ? args[0] : "security";
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var requests = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2000;
        // Monitoring is measured in its steady state: the feedback store full (FeedbackMaxEntries, 100,000 by default),
        // each new prediction evicting the oldest.
        var (names, settings, path, body, authorization, warmup) = comparison switch
        {
            "security" => (SecurityVariants.Names, (Func<string, Dictionary<string, string?>>)SecurityVariants.Settings, "/predict", SecurityVariants.Body, SecurityVariants.Authorization, requests),
            "monitoring" => (MonitoringVariants.Names, MonitoringVariants.Settings, "/predict", MonitoringVariants.Body, null, 120_000),
            _ => throw new ArgumentException($"unknown comparison '{comparison}' (known: security, monitoring)"),
        };

        var payload = Encoding.UTF8.GetBytes(body);
        var hosts = new PipelineHost[names.Length];
        for (var v = 0; v < names.Length; v++)
        {
            hosts[v] = await PipelineHost.StartAsync(settings(names[v]));
            for (var i = 0; i < warmup; i++)
            {
                if (await hosts[v].PostAsync(path, payload, authorization) != 200)
                {
                    throw new InvalidOperationException($"{names[v]}: POST {path} did not answer 200");
                }
            }
        }

        var cpu = new double[names.Length][];
        var bytes = new double[names.Length][];
        for (var v = 0; v < names.Length; v++)
        {
            cpu[v] = new double[rounds];
            bytes[v] = new double[rounds];
        }

        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < names.Length; k++)
            {
                var v = (round + k) % names.Length;
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
                for (var i = 0; i < requests; i++)
                {
                    await hosts[v].PostAsync(path, payload, authorization);
                }

                bytes[v][round] = (double)(GC.GetTotalAllocatedBytes(precise: true) - bytesBefore) / requests;
                process.Refresh();
                cpu[v][round] = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / requests;
            }
        }

        Console.WriteLine($"{comparison}: {rounds} rounds x {requests} requests per variant, interleaved");
        Console.WriteLine("variant   cpu_us_per_req(median)  bytes_per_req(median)  cpu_ratio_to_first(median of rounds)");
        for (var v = 0; v < names.Length; v++)
        {
            var ratios = new double[rounds];
            for (var round = 0; round < rounds; round++)
            {
                ratios[round] = cpu[v][round] / cpu[0][round];
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{names[v],-9} {Median(cpu[v]),22:F2} {Median(bytes[v]),22:F0} {Median(ratios),20:F3}"));
        }

        foreach (var host in hosts)
        {
            await host.DisposeAsync();
        }
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
