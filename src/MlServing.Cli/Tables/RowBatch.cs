using MlServing.Inference.Tensors;

namespace MlServing.Cli.Tables;

/// <summary>
/// Up to <c>--batch-size</c> rows read from the input: their cells (passed through) and the model input built from
/// their feature columns. Rows skipped as invalid are listed; a bad row that stops the run ends the batch before it.
/// </summary>
internal sealed class RowBatch : IDisposable
{
    public RowBatch(int count, IRowCells cells, PooledTensor features, IReadOnlyList<BadRow> skipped, BadRow? stop)
    {
        Count = count;
        Cells = cells;
        Features = features;
        Skipped = skipped;
        Stop = stop;
    }

    public int Count { get; }

    public IRowCells Cells { get; }

    /// <summary>[Count, features] in the input's datatype; owned by the batch until handed to a scorer.</summary>
    public PooledTensor? Features { get; private set; }

    /// <summary>Rows left out of this batch because a cell could not be read (with <c>--skip-invalid</c>).</summary>
    public IReadOnlyList<BadRow> Skipped { get; }

    /// <summary>The bad row that ends the input (without <c>--skip-invalid</c>); the batch holds the rows before it.</summary>
    public BadRow? Stop { get; }

    /// <summary>Hands the model input over (the caller disposes it).</summary>
    public PooledTensor TakeFeatures()
    {
        var features = Features ?? throw new InvalidOperationException("the features were taken already");
        Features = null;
        return features;
    }

    public void Dispose()
    {
        Features?.Dispose();
        Features = null;
        Cells.Dispose();
    }
}
