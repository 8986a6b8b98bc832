using System.Globalization;
using System.Text;
using MlServing.Inference.Monitoring;
using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Monitoring;

/// <summary>The sample wine-classifier in a throw-away repository, with the reference profile it ships (built by <c>mlserving profile</c> from its training rows).</summary>
public static class WineModel
{
    public const string Name = "wine-classifier";

    public static readonly string[] Labels = ["class_0", "class_1", "class_2"];

    /// <summary>Copies the sample model, with its profile.json or without; <paramref name="config"/> rewrites config.json.</summary>
    public static TestRepository Repository(bool withProfile = true, Func<string, string>? config = null)
    {
        var repo = new TestRepository().AddModelFolder(TestRepository.SamplesPath, Name);
        if (!withProfile)
        {
            File.Delete(Path.Combine(repo.Path, Name, ReferenceProfile.FileName));
        }

        if (config is not null)
        {
            var path = Path.Combine(repo.Path, Name, "config.json");
            File.WriteAllText(path, config(File.ReadAllText(path)));
        }

        return repo;
    }

    /// <summary>A /predict body with the given rows (by position).</summary>
    public static string PredictBody(IEnumerable<double[]> rows)
    {
        var json = new StringBuilder("{\"model\":\"wine-classifier\",\"instances\":[");
        var first = true;
        foreach (var row in rows)
        {
            json.Append(first ? "[" : ",[").AppendJoin(',', row.Select(v => v.ToString("R", CultureInfo.InvariantCulture))).Append(']');
            first = false;
        }

        return json.Append("]}").ToString();
    }

    /// <summary>Sends <paramref name="count"/> rows drawn (seeded) from <paramref name="pool"/>, <paramref name="perRequest"/> per request, each row passed through <paramref name="change"/>.</summary>
    public static async Task SendAsync(HttpClient client, IReadOnlyList<double[]> pool, int count, int seed, Func<double[], double[]>? change = null, int perRequest = 50)
    {
        var random = new Random(seed);
        for (var sent = 0; sent < count; sent += perRequest)
        {
            var rows = Enumerable.Range(0, Math.Min(perRequest, count - sent)).Select(_ => pool[random.Next(pool.Count)]).Select(r => change?.Invoke(r) ?? r);
            var response = await client.PostJsonAsync("/predict", PredictBody(rows)).WaitAsync(TimeSpan.FromSeconds(30));
            await response.ExpectAsync(200);
        }
    }
}
