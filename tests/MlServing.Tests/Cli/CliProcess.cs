using System.Collections.Concurrent;
using System.Diagnostics;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Cli;

/// <summary>The built CLI (MlServing.Cli.dll) as a child process, its standard error read line by line.</summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];
    private readonly Lock _gate = new();

    private CliProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public string Error => string.Join('\n', _lines);

    public static CliProcess Start(params string[] args) => Start(new Dictionary<string, string?>(), args);

    /// <summary>Starts the CLI with <paramref name="environment"/> added to (or, with null values, removed from) this process's.</summary>
    public static CliProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "MlServing.Cli.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        var cli = new CliProcess(process);
        process.ErrorDataReceived += (_, e) => cli.OnLine(e.Data);
        process.OutputDataReceived += (_, e) => cli.OnLine(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return cli;
    }

    /// <summary>Completes with the first line (already printed or still to come) that <paramref name="match"/> accepts.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            foreach (var line in _lines)
            {
                if (match(line))
                {
                    return Task.FromResult(line);
                }
            }

            _waiters.Add((match, seen));
        }

        _ = _process.WaitForExitAsync().ContinueWith(_ => seen.TrySetException(new InvalidOperationException("the CLI exited first:\n" + Error)), TaskScheduler.Default);
        return seen.Task.WaitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Sends SIGINT, what Ctrl-C sends.</summary>
    public void Interrupt() => ChildProcess.Signal(_process, ChildProcess.SigInt);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Enqueue(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Seen.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public ValueTask DisposeAsync() => ChildProcess.StopAsync(_process);
}
