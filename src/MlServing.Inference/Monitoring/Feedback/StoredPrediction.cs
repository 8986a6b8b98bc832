using System.Text;

namespace MlServing.Inference.Monitoring.Feedback;

/// <summary>
/// What a request predicted, kept until its ground truth arrives: the version that answered and, per row, the predicted
/// class (by the name <c>mlserving_predictions_total</c> uses) or the predicted value of a regression.
/// </summary>
public sealed class StoredPrediction
{
    private const byte Format = 1;

    public StoredPrediction(string version, string[]? classes, double[]? values)
    {
        Version = version;
        Classes = classes;
        Values = values;
    }

    public string Version { get; }

    public string[]? Classes { get; }

    public double[]? Values { get; }

    public int Rows => Classes?.Length ?? Values?.Length ?? 0;

    /// <summary>A compact binary form for a shared store.</summary>
    public byte[] Encode()
    {
        using var buffer = new MemoryStream(16 + (Rows * 8));
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Format);
            writer.Write(Version);
            writer.Write(Classes is not null);
            writer.Write(Rows);
            for (var r = 0; r < Rows; r++)
            {
                if (Classes is not null)
                {
                    writer.Write(Classes[r]);
                }
                else
                {
                    writer.Write(Values![r]);
                }
            }
        }

        return buffer.ToArray();
    }

    /// <summary>The prediction <see cref="Encode"/> wrote, or null for anything else.</summary>
    public static StoredPrediction? Decode(byte[] encoded)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(encoded, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Format)
            {
                return null;
            }

            var version = reader.ReadString();
            var isClasses = reader.ReadBoolean();
            var rows = reader.ReadInt32();
            if (rows < 0 || rows > encoded.Length)
            {
                return null;
            }

            if (isClasses)
            {
                var classes = new string[rows];
                for (var r = 0; r < rows; r++)
                {
                    classes[r] = reader.ReadString();
                }

                return new StoredPrediction(version, classes, null);
            }

            var values = new double[rows];
            for (var r = 0; r < rows; r++)
            {
                values[r] = reader.ReadDouble();
            }

            return new StoredPrediction(version, null, values);
        }
        catch (EndOfStreamException)
        {
            return null;
        }
    }
}
