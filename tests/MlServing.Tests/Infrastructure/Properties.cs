using FsCheck;
using Microsoft.FSharp.Core;

namespace MlServing.Tests.Infrastructure;

/// <summary>
/// Runs FsCheck properties the same way every time: a fixed seed per property (no flaky runs; change the seed to explore
/// other cases), a set number of cases, and off the test's synchronization context since HTTP properties are async.
/// </summary>
public static class Properties
{
    public static Task CheckAsync(Property property, int cases, ulong seed) => Task.Run(() =>
        Check.One(
            Config.QuickThrowOnFailure.WithMaxTest(cases).WithQuietOnSuccess(true)
                .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(seed), FSharpOption<int>.None))),
            property));
}
