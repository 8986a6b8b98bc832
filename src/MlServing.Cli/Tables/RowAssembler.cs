using MlServing.Cli.Scoring;
using MlServing.Inference.Tensors;

namespace MlServing.Cli.Tables;

/// <summary>
/// The row rules every reader shares: a row's features are parsed into a scratch row first, then the row is taken,
/// skipped (<c>--skip-invalid</c>, or already in the output on <c>--resume</c>) or ends the input (a bad cell).
/// </summary>
internal sealed class RowAssembler : IDisposable
{
    private readonly byte[] _row;
    private readonly bool _skipInvalid;
    private readonly int _width;
    private readonly int _batchSize;
    private PooledTensorBuilder _builder;
    private List<BadRow> _skipped = [];
    private long _resumeRowsLeft;

    public RowAssembler(ScoringModel model, int batchSize, bool skipInvalid, long resumeRows)
    {
        Parser = new FeatureParser(model.InputType, model.AllowNonFinite);
        _width = model.Features.Length;
        _batchSize = batchSize;
        _row = new byte[_width * Parser.ElementSize];
        _skipInvalid = skipInvalid;
        _resumeRowsLeft = resumeRows;
        InputName = model.InputName;
        DataType = model.InputType;
        _builder = new PooledTensorBuilder(model.InputType, batchSize * _width);
    }

    public FeatureParser Parser { get; }

    public string InputName { get; }

    public TensorDataType DataType { get; }

    public int BatchSize => _batchSize;

    /// <summary>Rows taken into the current batch.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count >= _batchSize;

    /// <summary>The bad row that ended the input; nothing more is taken after it.</summary>
    public BadRow? Stop { get; private set; }

    /// <summary>Where feature <paramref name="index"/> of the current row is parsed into.</summary>
    public Span<byte> Element(int index) => _row.AsSpan(index * Parser.ElementSize, Parser.ElementSize);

    /// <summary>
    /// Decides on the current row (its features parsed, <paramref name="bad"/> when one was not valid): true when the
    /// caller should add its cells to the batch.
    /// </summary>
    public bool Accept(BadRow? bad)
    {
        if (_resumeRowsLeft > 0)
        {
            // Resuming: the output already holds this many valid rows; invalid ones before them were skipped then.
            if (bad is null)
            {
                _resumeRowsLeft--;
            }

            return false;
        }

        if (bad is not null)
        {
            if (_skipInvalid)
            {
                _skipped.Add(bad);
            }
            else
            {
                Stop = bad;
            }

            return false;
        }

        _builder.AppendBytes(_row);
        Count++;
        return true;
    }

    /// <summary>Builds the batch of the rows taken so far (null when there are none and nothing to report).</summary>
    public RowBatch? Take(IRowCells cells)
    {
        if (Count == 0 && _skipped.Count == 0 && Stop is null)
        {
            cells.Dispose();
            return null;
        }

        var features = _builder.Build(InputName, [Count, _width]);
        var batch = new RowBatch(Count, cells, features, _skipped, Stop);
        _builder.Dispose();
        _builder = new PooledTensorBuilder(DataType, _batchSize * _width);
        _skipped = [];
        Count = 0;
        return batch;
    }

    public void Dispose() => _builder.Dispose();
}
