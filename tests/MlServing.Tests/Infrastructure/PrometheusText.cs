using System.Globalization;

namespace MlServing.Tests.Infrastructure;

/// <summary>Reads samples out of a Prometheus text exposition (a /metrics scrape).</summary>
public static class PrometheusText
{
    public static async Task<string> ScrapeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/metrics").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(200, (int)response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of every sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public static double Sample(string text, string name, params (string Label, string Value)[] labels)
    {
        double sum = 0;
        foreach (var (_, value) in Series(text, name, labels))
        {
            sum += value;
        }

        return sum;
    }

    /// <summary>Each sample of <paramref name="name"/> whose labels include all of <paramref name="labels"/>: its label text and value.</summary>
    public static List<(string Labels, double Value)> Series(string text, string name, params (string Label, string Value)[] labels)
    {
        var found = new List<(string, double)>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                continue;
            }

            if (labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                var space = line.LastIndexOf(' ');
                found.Add((line[name.Length..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture)));
            }
        }

        return found;
    }
}
