namespace MlServing.Tests.Infrastructure;

public static class Eventually
{
    /// <summary>Waits (bounded) for a condition another thread makes true, e.g. a queue reaching a depth.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what, int timeoutSeconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }
}
