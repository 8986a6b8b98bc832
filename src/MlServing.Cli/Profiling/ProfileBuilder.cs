using MlServing.Cli.Scoring;
using MlServing.Cli.Tables;
using MlServing.Inference.Monitoring;
using MlServing.Inference.Tensors;

namespace MlServing.Cli.Profiling;

/// <summary>
/// Builds a reference profile from training data: every feature value the model would see (in the input's
/// datatype), cut into quantile bins, and the share of each class the model predicts for the same rows.
/// </summary>
internal sealed class ProfileBuilder
{
    private readonly ScoringModel _model;
    private readonly int _bins;
    private readonly List<double>[] _values;
    private readonly List<ClassCounts> _classes = [];
    private long _rows;

    public ProfileBuilder(ScoringModel model, int bins)
    {
        _model = model;
        _bins = bins;
        _values = new List<double>[model.Features.Length];
        for (var j = 0; j < _values.Length; j++)
        {
            _values[j] = [];
        }
    }

    public long Rows => _rows;

    /// <summary>Scores every batch of <paramref name="reader"/> and records features and predicted classes; returns the skipped rows.</summary>
    public async Task<long> AddAsync(ITableReader reader, IBatchScorer scorer, TextWriter listing, CancellationToken cancellationToken)
    {
        long skipped = 0;
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } batch)
        {
            using (batch)
            {
                foreach (var bad in batch.Skipped)
                {
                    await listing.WriteLineAsync("skipped " + bad).ConfigureAwait(false);
                }

                skipped += batch.Skipped.Count;
                if (batch.Stop is { } stop)
                {
                    throw new CliException($"{stop} (pass --skip-invalid to leave such rows out of the profile)", ExitCodes.InvalidData);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                AddFeatures(batch.Features!, batch.Count);
                var outputs = await scorer.ScoreAsync(batch.TakeFeatures(), batch.Count, cancellationToken).ConfigureAwait(false);
                try
                {
                    AddClasses(outputs);
                }
                finally
                {
                    foreach (var output in outputs)
                    {
                        output.Dispose();
                    }
                }

                _rows += batch.Count;
            }
        }

        return skipped;
    }

    public ReferenceProfile Build()
    {
        if (_rows == 0)
        {
            throw new CliException("the data has no valid rows to build a profile from");
        }

        var features = new FeatureProfile[_values.Length];
        for (var j = 0; j < features.Length; j++)
        {
            var (edges, fractions) = QuantileBins.Compute([.. _values[j]], _bins);
            features[j] = new FeatureProfile { Name = _model.Features[j], Edges = edges, Fractions = fractions };
        }

        var outputs = _classes.ConvertAll(c => new OutputProfile { Name = c.Name, Classes = c.Shares(_rows) });
        return new ReferenceProfile { Rows = _rows, Features = features, Outputs = [.. outputs] };
    }

    private void AddFeatures(PooledTensor features, int rows)
    {
        var width = _values.Length;
        var bytes = features.Bytes;
        for (var r = 0; r < rows; r++)
        {
            for (var j = 0; j < width; j++)
            {
                _values[j].Add(FeatureParser.ToDouble(bytes, features.DataType, (r * width) + j));
            }
        }
    }

    private void AddClasses(PooledTensor[] outputs)
    {
        if (_rows == 0)
        {
            foreach (var output in outputs)
            {
                if (ClassCounts.IsClassOutput(output))
                {
                    _classes.Add(new ClassCounts(output.Name, output.DataType == TensorDataType.Bytes ? null : _model.Labels));
                }
            }
        }

        foreach (var counts in _classes)
        {
            counts.Add(Array.Find(outputs, o => o.Name == counts.Name)!);
        }
    }
}
