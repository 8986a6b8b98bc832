using System.Globalization;

namespace MlServing.Inference.Monitoring.Capture;

/// <summary>
/// A JSON Lines file rotated by size: when the next line would take it past <c>MaxFileBytes</c>, <c>capture.jsonl</c>
/// becomes <c>capture.1.jsonl</c> (older ones shift to .2, .3, …) and a new file starts; <c>MaxFiles</c> files are kept,
/// the one being written included.
/// </summary>
internal sealed class FileCaptureSink : CaptureSink
{
    private readonly string _path;
    private readonly long _maxBytes;
    private readonly int _maxFiles;
    private FileStream _stream;
    private long _length;

    public FileCaptureSink(string path, long maxBytes, int maxFiles)
    {
        _path = Path.GetFullPath(path);
        _maxBytes = maxBytes;
        _maxFiles = maxFiles;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _stream = OpenCurrent();
    }

    public override void WriteLine(ReadOnlySpan<byte> line)
    {
        if (_length > 0 && _length + line.Length > _maxBytes && _stream.CanSeek)
        {
            Rotate();
        }

        _stream.Write(line);
        _length += line.Length;
    }

    public override void Flush() => _stream.Flush();

    public override void Dispose() => _stream.Dispose();

    /// <summary>The name of rotated file <paramref name="number"/>: <c>capture.jsonl</c> → <c>capture.1.jsonl</c>.</summary>
    public static string RotatedName(string path, int number) =>
        Path.Combine(Path.GetDirectoryName(path)!, string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileNameWithoutExtension(path)}.{number}{Path.GetExtension(path)}"));

    private void Rotate()
    {
        _stream.Dispose();
        File.Delete(_maxFiles > 1 ? RotatedName(_path, _maxFiles - 1) : _path);
        for (var number = _maxFiles - 2; number >= 1; number--)
        {
            var from = RotatedName(_path, number);
            if (File.Exists(from))
            {
                File.Move(from, RotatedName(_path, number + 1), overwrite: true);
            }
        }

        if (_maxFiles > 1 && File.Exists(_path))
        {
            File.Move(_path, RotatedName(_path, 1), overwrite: true);
        }

        _stream = OpenCurrent();
    }

    /// <summary>Opens the file for appending (a pipe or FIFO is written as it is, never rotated).</summary>
    private FileStream OpenCurrent()
    {
        var stream = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 64 * 1024);
        _length = stream.CanSeek ? stream.Seek(0, SeekOrigin.End) : 0;
        return stream;
    }
}
