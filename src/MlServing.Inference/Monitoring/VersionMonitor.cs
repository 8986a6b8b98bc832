using System.Globalization;
using Microsoft.Extensions.Logging;
using MlServing.Inference.Monitoring.Capture;
using MlServing.Inference.Monitoring.Feedback;
using MlServing.Inference.Observability;
using MlServing.Inference.Pipeline;
using MlServing.Inference.Tensors;
using Prometheus;

namespace MlServing.Inference.Monitoring;

/// <summary>
/// Everything monitoring knows about one model version (docs/MONITORING.md): the drift window over its profiled
/// features and classes, prediction counts per class, the stored predictions that feedback joins, the accuracy or MAE
/// over recent feedback, and how its requests are captured. <see cref="Observe"/> runs once per answered request and
/// allocates nothing per row; series are computed on scrape by <see cref="Export"/>.
/// </summary>
internal sealed class VersionMonitor
{
    private readonly TimeProvider _time;
    private readonly MonitoringMetrics _metrics;
    private readonly FeatureBins[] _features;
    private readonly int _inputWidth;
    private readonly ClassOutput[] _classOutputs;
    private readonly ClassOutput?[] _classBySignature;
    private readonly SlidingWindow? _window;
    private readonly long _minRows;
    private readonly Lock _exportLock = new();
    private readonly long[] _totals;
    private readonly Gauge.Child[] _featureDrift;
    private readonly Gauge.Child?[] _outputDrift;
    private readonly Counter.Child?[][] _predictions;
    private readonly long[][] _exported;
    private readonly IFeedbackStore? _store;
    private readonly TimeSpan _ttl;
    private readonly ClassOutput? _feedbackClasses;
    private readonly StoredPrediction?[] _singleRowPredictions = [];
    private readonly int _feedbackValues = -1;
    private readonly RecentMean _recent;
    private readonly Counter.Child _correct;
    private readonly Counter.Child _incorrect;
    private readonly Counter.Child _regression;
    private readonly Gauge.Child _accuracy;
    private readonly Gauge.Child _meanAbsoluteError;
    private readonly CaptureWriter _capture;
    private readonly CaptureLayout _layout;

    public VersionMonitor(PipelineContext context, MonitoringOptions options, TimeProvider time, MonitoringMetrics metrics, FeedbackService feedback, CaptureWriter capture, ILogger logger)
    {
        Model = context.Model;
        Version = context.VersionText;
        _time = time;
        _metrics = metrics;
        _minRows = options.MinRows;
        var signature = context.Signature;
        var (profile, features, width) = LoadProfile(context, logger);
        _features = features;
        _inputWidth = width;

        var cells = 0;
        foreach (var feature in features)
        {
            cells = Math.Max(cells, feature.FirstCell + feature.Bins);
        }

        var classOutputs = new List<ClassOutput>();
        _classBySignature = new ClassOutput?[signature.Outputs.Length];
        for (var o = 0; o < signature.Outputs.Length; o++)
        {
            var spec = signature.Outputs[o];
            if (!ClassOutput.Applies(spec))
            {
                continue;
            }

            var outputProfile = profile is null ? null : Array.Find(profile.Outputs, p => p.Name == spec.Name);
            var output = new ClassOutput(spec, o, context.Config.Labels, options.MaxClasses, outputProfile, cells);
            cells += output.Cells;
            classOutputs.Add(output);
            _classBySignature[o] = output;
        }

        _classOutputs = [.. classOutputs];
        _window = cells > 0 ? new SlidingWindow(cells, TimeSpan.FromSeconds(options.WindowSeconds), time) : null;
        _totals = new long[cells];
        _featureDrift = Array.ConvertAll(features, f => metrics.FeatureDrift.WithLabels(Model, Version, f.Name));
        _outputDrift = Array.ConvertAll(_classOutputs, c => c.Cells > 0 ? metrics.PredictionDrift.WithLabels(Model, Version, c.Name) : null);
        _predictions = Array.ConvertAll(_classOutputs, c => new Counter.Child?[c.Capacity]);
        _exported = Array.ConvertAll(_classOutputs, c => new long[c.Capacity]);
        for (var o = 0; o < _classOutputs.Length; o++)
        {
            // Configured labels exist at zero from the start, so a class that is never predicted still has a rate.
            var labels = _classOutputs[o].Labels;
            for (var id = 0; id < labels.Length; id++)
            {
                _predictions[o][id] = metrics.Predictions.WithLabels(Model, Version, _classOutputs[o].Name, labels[id]);
            }
        }

        _store = feedback.Store;
        _ttl = feedback.Ttl;
        _feedbackClasses = _classOutputs.Length > 0 ? _classOutputs[0] : null;
        if (_feedbackClasses is not null)
        {
            _singleRowPredictions = new StoredPrediction?[_feedbackClasses.Capacity];
        }
        if (_feedbackClasses is null)
        {
            _feedbackValues = Array.FindIndex(signature.Outputs, s => s.DataType.IsFloatingPoint() && !s.IsMapSequence && (s.Rank == 1 || (s.Rank == 2 && s.Shape[1] == 1)));
        }

        _recent = new RecentMean(options.FeedbackWindow);
        _correct = metrics.Feedback.WithLabels(Model, Version, "correct");
        _incorrect = metrics.Feedback.WithLabels(Model, Version, "incorrect");
        _regression = metrics.Feedback.WithLabels(Model, Version, "regression");
        _accuracy = metrics.Accuracy.WithLabels(Model, Version);
        _meanAbsoluteError = metrics.MeanAbsoluteError.WithLabels(Model, Version);
        if (_feedbackClasses is not null && (context.Config.AccuracyFloor ?? options.AccuracyFloor) is { } floor)
        {
            metrics.AccuracyFloor.WithLabels(Model, Version).Set(floor);
        }

        _capture = capture;
        _layout = new CaptureLayout(Model, Version, signature, context.Config, options.Capture.RedactFeatures, _classBySignature, metrics.CaptureDropped.WithLabels(Model));
    }

    public string Model { get; }

    public string Version { get; }

    /// <summary>Counts an answered request (drift window, predictions), stores its prediction for feedback, and captures it when sampled.</summary>
    public void Observe(InferenceRequest request, InferenceResult result, long startTimestamp)
    {
        var outputs = result.Outputs;
        var indices = request.OutputIndices;
        if (_window is { } window)
        {
            using var scope = window.Open(request.Rows);
            CountFeatures(request.Inputs, scope.Cells);
            CountClasses(outputs, indices, scope.Cells);
        }
        else
        {
            CountClasses(outputs, indices, default);
        }

        if (_store is not null && request.RequestId is { } id && Prediction(outputs, indices) is { } prediction)
        {
            _store.Put(Model, id, prediction, _ttl);
        }

        if (_capture.Sample())
        {
            _capture.TryWrite(new CaptureRecord(
                _layout, _time.GetUtcNow(), request.RequestId, request.Rows, _time.GetElapsedTime(startTimestamp).TotalMilliseconds,
                CaptureRecord.Share(request.Inputs), CaptureRecord.Share(outputs), indices));
        }
    }

    /// <summary>Scores joined ground truth against the stored prediction: feedback counts and the accuracy / MAE gauge.</summary>
    public void RecordFeedback(StoredPrediction stored, FeedbackTruth truth)
    {
        var scores = new double[stored.Rows];
        if (stored.Classes is { } predicted)
        {
            var labels = _feedbackClasses?.Labels ?? [];
            var correct = 0;
            for (var r = 0; r < scores.Length; r++)
            {
                var label = truth.Labels![r];
                var name = label.Name ?? (label.Index >= 0 && label.Index < labels.Length ? labels[label.Index] : label.Index.ToString(CultureInfo.InvariantCulture));
                scores[r] = name == predicted[r] ? 1 : 0;
                correct += (int)scores[r];
            }

            _correct.Inc(correct);
            _incorrect.Inc(scores.Length - correct);
            _accuracy.Set(_recent.Add(scores));
            return;
        }

        for (var r = 0; r < scores.Length; r++)
        {
            scores[r] = Math.Abs(truth.Values![r] - stored.Values![r]);
        }

        _regression.Inc(scores.Length);
        _meanAbsoluteError.Set(_recent.Add(scores));
    }

    /// <summary>Turns the window into drift gauges (absent below MinRows) and the prediction counts into counters.</summary>
    public void Export()
    {
        lock (_exportLock)
        {
            if (_window is { } window)
            {
                var enough = window.Sum(_totals) >= _minRows;
                for (var f = 0; f < _features.Length; f++)
                {
                    var feature = _features[f];
                    Publish(_featureDrift[f], enough ? Psi.Compute(_totals.AsSpan(feature.FirstCell, feature.Bins), feature.Expected) : null);
                }

                for (var o = 0; o < _classOutputs.Length; o++)
                {
                    if (_outputDrift[o] is { } gauge)
                    {
                        var output = _classOutputs[o];
                        Publish(gauge, enough ? Psi.Compute(_totals.AsSpan(output.FirstCell, output.Cells), output.Expected) : null);
                    }
                }
            }

            for (var o = 0; o < _classOutputs.Length; o++)
            {
                var output = _classOutputs[o];
                for (var id = 0; id < output.Capacity; id++)
                {
                    var (name, count) = output.Counted(id);
                    if (name is null || count == _exported[o][id])
                    {
                        continue;
                    }

                    var child = _predictions[o][id] ??= _metrics.Predictions.WithLabels(Model, Version, output.Name, name);
                    child.Inc(count - _exported[o][id]);
                    _exported[o][id] = count;
                }
            }
        }
    }

    /// <summary>Removes every monitoring series of this version (it no longer serves).</summary>
    public void RemoveSeries()
    {
        lock (_exportLock)
        {
            foreach (var feature in _features)
            {
                _metrics.FeatureDrift.RemoveLabelled(Model, Version, feature.Name);
            }

            for (var o = 0; o < _classOutputs.Length; o++)
            {
                _metrics.PredictionDrift.RemoveLabelled(Model, Version, _classOutputs[o].Name);
                for (var id = 0; id < _predictions[o].Length; id++)
                {
                    if (_predictions[o][id] is not null)
                    {
                        _metrics.Predictions.RemoveLabelled(Model, Version, _classOutputs[o].Name, _classOutputs[o].NameOf(id));
                    }
                }
            }

            foreach (var result in (string[])["correct", "incorrect", "regression"])
            {
                _metrics.Feedback.RemoveLabelled(Model, Version, result);
            }

            _metrics.Accuracy.RemoveLabelled(Model, Version);
            _metrics.AccuracyFloor.RemoveLabelled(Model, Version);
            _metrics.MeanAbsoluteError.RemoveLabelled(Model, Version);
        }
    }

    private static void Publish(Gauge.Child gauge, double? value)
    {
        if (value is { } psi)
        {
            gauge.Set(psi);
        }
        else
        {
            gauge.Unpublish();
        }
    }

    private void CountFeatures(PooledTensor[] inputs, Span<long> cells)
    {
        if (_features.Length == 0 || inputs[0] is not { Shape: [var rows, var width] } input || width != _inputWidth)
        {
            return;
        }

        foreach (var feature in _features)
        {
            feature.Count(input, (int)rows, _inputWidth, cells);
        }
    }

    private void CountClasses(PooledTensor[] outputs, int[] indices, Span<long> cells)
    {
        for (var w = 0; w < outputs.Length; w++)
        {
            if (_classBySignature[indices[w]] is not { } output || outputs[w].Shape.Length == 0)
            {
                continue;
            }

            var tensor = outputs[w];
            var rows = (int)tensor.Shape[0];
            var drift = output.Cells > 0 && !cells.IsEmpty;
            for (var r = 0; r < rows; r++)
            {
                var id = output.ClassOf(tensor, r);
                output.Count(id);
                if (drift)
                {
                    cells[output.FirstCell + output.CellOf(id)]++;
                }
            }
        }
    }

    /// <summary>What the request predicted, per row, for feedback: the first class output, or else a one-value-per-row numeric output.</summary>
    private StoredPrediction? Prediction(PooledTensor[] outputs, int[] indices)
    {
        var wanted = _feedbackClasses?.OutputIndex ?? _feedbackValues;
        var w = wanted < 0 ? -1 : Array.IndexOf(indices, wanted);
        if (w < 0 || outputs[w].Shape.Length == 0)
        {
            return null;
        }

        var tensor = outputs[w];
        var rows = (int)tensor.Shape[0];
        if (_feedbackClasses is { } classes)
        {
            // A one-row prediction is one of the version's classes: share one immutable instance per class, so that the
            // store holds nothing per request but its id (stored predictions live long enough for the GC to promote them).
            if (rows == 1)
            {
                var id = classes.ClassOf(tensor, 0);
                return _singleRowPredictions[id] ??= new StoredPrediction(Version, [classes.NameOf(id)], null);
            }

            var names = new string[rows];
            for (var r = 0; r < rows; r++)
            {
                names[r] = classes.NameOf(classes.ClassOf(tensor, r));
            }

            return new StoredPrediction(Version, names, null);
        }

        var values = new double[rows];
        for (var r = 0; r < rows; r++)
        {
            values[r] = tensor.ReadDouble(r);
        }

        return new StoredPrediction(Version, null, values);
    }

    /// <summary>
    /// Reads the version's profile and binds its features to columns of the model's single 2-D input. A profile that
    /// cannot be used is logged and ignored: the version serves, without drift series.
    /// </summary>
    private static (ReferenceProfile? Profile, FeatureBins[] Features, int Width) LoadProfile(PipelineContext context, ILogger logger)
    {
        if (ProfileReader.Find(context.VersionDirectory) is not { } path)
        {
            return (null, [], 0);
        }

        try
        {
            var profile = ProfileReader.Read(path);
            var (features, width) = BindFeatures(profile, context);
            foreach (var output in profile.Outputs)
            {
                var index = context.Signature.IndexOfOutput(output.Name);
                if (index < 0 || !ClassOutput.Applies(context.Signature.Outputs[index]))
                {
                    throw new InvalidDataException($"output '{output.Name}' is not a class output of the model (one class index or label per row)");
                }
            }

            MonitoringLog.ProfileLoaded(logger, context.Model, context.VersionText, path, features.Length, profile.Outputs.Length);
            return (profile, features, width);
        }
        catch (Exception ex)
        {
            // Whatever is wrong with a profile (or with reading it), the version serves without drift: monitoring must
            // never take a model down.
            MonitoringLog.ProfileInvalid(logger, context.Model, context.VersionText, path, ex.Message);
            return (null, [], 0);
        }
    }

    private static (FeatureBins[] Features, int Width) BindFeatures(ReferenceProfile profile, PipelineContext context)
    {
        if (profile.Features.Length == 0)
        {
            return ([], 0);
        }

        var inputs = context.Signature.Inputs;
        if (inputs is not [{ Rank: 2 } input] || !input.DataType.IsNumeric())
        {
            throw new InvalidDataException($"the profile has features, which are the columns of a single 2-D numeric input, and the model has inputs {string.Join("; ", (object[])inputs)}");
        }

        var names = context.Config.Features;
        var width = names?.Length ?? (int)input.Shape[1];
        if (width < 0)
        {
            throw new InvalidDataException($"input '{input.Name}' has a dynamic number of columns; name them with 'features' in config.json");
        }

        var bins = new FeatureBins[profile.Features.Length];
        var cell = 0;
        for (var f = 0; f < bins.Length; f++)
        {
            var feature = profile.Features[f];
            var column = names is not null
                ? Array.IndexOf(names, feature.Name)
                : int.TryParse(feature.Name, NumberStyles.None, CultureInfo.InvariantCulture, out var position) && position < width ? position : -1;
            if (column < 0)
            {
                throw new InvalidDataException($"feature '{feature.Name}' is not a column of input '{input.Name}' ({(names is null ? $"columns \"0\" to \"{width - 1}\"" : "features: " + string.Join(", ", names))})");
            }

            bins[f] = new FeatureBins(feature.Name, column, feature.Edges, feature.Fractions, cell);
            cell += bins[f].Bins;
        }

        return (bins, width);
    }
}
