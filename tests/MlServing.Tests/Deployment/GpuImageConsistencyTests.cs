using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

using MlServing.Tests.Infrastructure;

namespace MlServing.Tests.Deployment;

/// <summary>
/// docker/Dockerfile.gpu must start from a CUDA image that can run the CUDA provider the GPU build ships: the CUDA
/// major of the image has to be the one libonnxruntime_providers_cuda.so links (its ELF DT_NEEDED entries, e.g.
/// libcudart.so.13), and the image must carry cuBLAS and cuDNN of the major the package's providers link. The provider
/// library is only in the GPU package, read from the NuGet global packages folder (test.sh restores it first).
/// </summary>
public sealed partial class GpuImageConsistencyTests
{
    [GpuPackageFact]
    public void GpuImage_HasTheCudaMajorTheCudaProviderLinks()
    {
        var provider = Path.Combine(GpuPackage.NativeDirectory(), "libonnxruntime_providers_cuda.so");
        Assert.True(File.Exists(provider), $"{provider} is absent: the GPU package is not restored (test.sh restores it with -p:UseGpu=true)");
        var needed = ElfDynamicSection.Needed(provider);

        // cudart and cuBLAS carry the CUDA major in their soname (cuRAND and the driver's libcuda.so.1 have their own numbering).
        var majors = needed.Select(lib => CudaToolkitLibrary().Match(lib)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups["major"].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToArray();
        var providerMajor = Assert.Single(majors);

        var image = BaseImage();
        Assert.True(image.CudaMajor == providerMajor,
            $"{GpuPackage.ProviderDescription()} links CUDA {providerMajor} ({string.Join(", ", needed)}), but docker/Dockerfile.gpu starts from nvidia/cuda:{image.Tag} (CUDA {image.CudaMajor})");
        // The base flavour has only the CUDA runtime; the provider also links cuBLAS, which runtime and devel carry.
        Assert.True(image.Flavour is "runtime" or "devel", $"nvidia/cuda:{image.Tag} is a '{image.Flavour}' image, without the cuBLAS the provider links");
    }

    [GpuPackageFact]
    public void GpuImage_CarriesCuDnnOfTheMajorTheProvidersLink()
    {
        // The CUDA provider loads cuDNN at run time (it is not in its DT_NEEDED); the TensorRT provider of the same
        // build links it, so the package's cuDNN major is read from whichever provider names it.
        var native = GpuPackage.NativeDirectory();
        Assert.True(Directory.Exists(native), $"{native} is absent: the GPU package is not restored (test.sh restores it with -p:UseGpu=true)");
        var majors = Directory.GetFiles(native, "libonnxruntime_providers_*.so")
            .SelectMany(ElfDynamicSection.Needed).Select(lib => CuDnnLibrary().Match(lib)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups["major"].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToArray();
        var packageMajor = Assert.Single(majors);

        var image = BaseImage();
        Assert.True(image.HasCuDnn, $"nvidia/cuda:{image.Tag} has no cuDNN (pick a -cudnn- tag); the CUDA provider needs cuDNN {packageMajor}");
        if (image.CuDnnMajor is { } imageMajor)
        {
            Assert.True(imageMajor == packageMajor,
                $"{GpuPackage.ProviderDescription()} needs cuDNN {packageMajor}, but nvidia/cuda:{image.Tag} carries cuDNN {imageMajor}");
        }
    }

    [Fact]
    public void ElfReader_ReadsTheNeededEntriesOfTheOnnxRuntimeLibraryThisBuildShips()
    {
        // Checks the reader itself on a library every build has, so it is exercised even where the GPU package is absent.
        var library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libonnxruntime.so");

        var needed = ElfDynamicSection.Needed(library);

        Assert.Contains("libc.so.6", needed);
        Assert.Contains("libstdc++.so.6", needed);
        Assert.All(needed, name => Assert.Matches(@"^[\w.+-]+\.so(\.\d+)*$", name));
        Assert.Throws<InvalidDataException>(() => ElfDynamicSection.Needed(Path.Combine(AppContext.BaseDirectory, "MlServing.Tests.dll")));
    }

    private static BaseImageTag BaseImage()
    {
        var dockerfile = Path.Combine(GpuPackage.RepositoryRoot(), "docker", "Dockerfile.gpu");
        var tags = File.ReadLines(dockerfile).Select(line => CudaFromLine().Match(line)).Where(m => m.Success).ToArray();
        var from = Assert.Single(tags);
        var tag = from.Groups["tag"].Value;
        var parsed = CudaTag().Match(tag);
        Assert.True(parsed.Success, $"nvidia/cuda:{tag} is not a <major>.<minor>.<patch>[-cudnn[N]]-<base|runtime|devel>-<os> tag");
        return new BaseImageTag(
            tag,
            int.Parse(parsed.Groups["cuda"].Value, System.Globalization.CultureInfo.InvariantCulture),
            parsed.Groups["cudnn"].Success,
            parsed.Groups["cudnnMajor"].Length > 0 ? int.Parse(parsed.Groups["cudnnMajor"].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            parsed.Groups["flavour"].Value);
    }

    private sealed record BaseImageTag(string Tag, int CudaMajor, bool HasCuDnn, int? CuDnnMajor, string Flavour);

    [GeneratedRegex(@"^libcu(?:dart|blas|blasLt)\.so\.(?<major>\d+)$")]
    private static partial Regex CudaToolkitLibrary();

    [GeneratedRegex(@"^libcudnn\.so\.(?<major>\d+)$")]
    private static partial Regex CuDnnLibrary();

    [GeneratedRegex(@"^\s*FROM\s+(?:docker\.io/)?nvidia/cuda:(?<tag>\S+)", RegexOptions.IgnoreCase)]
    private static partial Regex CudaFromLine();

    [GeneratedRegex(@"^(?<cuda>\d+)\.\d+(?:\.\d+)?(?:-(?<cudnn>cudnn(?<cudnnMajor>\d*)))?-(?<flavour>base|runtime|devel)-\w+\d+(?:\.\d+)?$")]
    private static partial Regex CudaTag();
}

/// <summary>Where the restored GPU package keeps its native libraries.</summary>
internal static class GpuPackage
{
    private const string PackageId = "Microsoft.ML.OnnxRuntime.Gpu.Linux";

    public static string RepositoryRoot() => SourceTree.Root();

    /// <summary>The GPU package version the repository pins (OnnxRuntimeGpuVersion in Directory.Packages.props).</summary>
    public static string Version()
    {
        var props = XDocument.Load(Path.Combine(RepositoryRoot(), "Directory.Packages.props"));
        var version = props.Descendants("OnnxRuntimeGpuVersion").Single().Value.Trim();
        return version.Length > 0 ? version : throw new InvalidDataException("OnnxRuntimeGpuVersion is empty in Directory.Packages.props");
    }

    /// <summary>runtimes/linux-x64/native of the package in the NuGet global packages folder (NUGET_PACKAGES if set).</summary>
    public static string NativeDirectory()
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        return Path.Combine(packages, PackageId.ToLowerInvariant(), Version(), "runtimes", "linux-x64", "native");
    }

    public static string ProviderDescription() => $"{PackageId} {Version()}";

    public static bool IsCi() => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Needs the restored GPU package. Where it is absent the test is reported as skipped, except under CI=true, where
/// test.sh has restored it, so there the test runs and fails on its absence.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class GpuPackageFactAttribute : FactAttribute
{
    public GpuPackageFactAttribute()
    {
        if (GpuPackage.IsCi())
        {
            return;
        }

        string native;
        try
        {
            native = GpuPackage.NativeDirectory();
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or System.Xml.XmlException)
        {
            // Let the test run and report the problem itself.
            return;
        }

        if (!Directory.Exists(native))
        {
            Skip = $"{native} is absent: restore the GPU build first (./test.sh does, or dotnet restore -p:UseGpu=true)";
        }
    }
}

/// <summary>Reads the DT_NEEDED entries (the shared libraries a library links) from an ELF64 little-endian file.</summary>
internal static class ElfDynamicSection
{
    private const uint ShtDynamic = 6;
    private const long DtNull = 0;
    private const long DtNeeded = 1;

    public static IReadOnlyList<string> Needed(string path)
    {
        using var file = File.OpenRead(path);
        using var reader = new BinaryReader(file); // BinaryReader always reads little-endian
        var ident = reader.ReadBytes(16);
        if (ident.Length < 16 || ident[0] != 0x7F || ident[1] != (byte)'E' || ident[2] != (byte)'L' || ident[3] != (byte)'F')
        {
            throw new InvalidDataException($"{path} is not an ELF file");
        }

        if (ident[4] != 2 || ident[5] != 1)
        {
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file (class {ident[4]}, data {ident[5]})");
        }

        // ELF64 header: e_shoff at 0x28; e_shentsize, e_shnum at 0x3A.
        file.Position = 0x28;
        var sectionHeaders = reader.ReadInt64();
        file.Position = 0x3A;
        var sectionHeaderSize = reader.ReadUInt16();
        var sectionCount = reader.ReadUInt16();
        if (sectionHeaders <= 0 || sectionCount == 0 || sectionHeaderSize < 64)
        {
            throw new InvalidDataException($"{path} has no section headers");
        }

        var sections = new (uint Type, long Offset, long Size, uint Link)[sectionCount];
        for (var i = 0; i < sectionCount; i++)
        {
            // Elf64_Shdr: sh_name u32, sh_type u32, sh_flags u64, sh_addr u64, sh_offset u64, sh_size u64, sh_link u32, ...
            file.Position = sectionHeaders + ((long)i * sectionHeaderSize);
            reader.ReadUInt32();
            var type = reader.ReadUInt32();
            reader.ReadUInt64();
            reader.ReadUInt64();
            var offset = reader.ReadInt64();
            var size = reader.ReadInt64();
            var link = reader.ReadUInt32();
            sections[i] = (type, offset, size, link);
        }

        var dynamic = sections.Where(s => s.Type == ShtDynamic).ToArray();
        if (dynamic.Length != 1 || dynamic[0].Link >= sectionCount)
        {
            throw new InvalidDataException($"{path} has {dynamic.Length} dynamic sections, expected one linked to its string table");
        }

        var strings = sections[dynamic[0].Link];
        var needed = new List<string>();
        // Elf64_Dyn: d_tag i64, d_val u64.
        for (long entry = 0; entry + 16 <= dynamic[0].Size; entry += 16)
        {
            file.Position = dynamic[0].Offset + entry;
            var tag = reader.ReadInt64();
            var value = reader.ReadInt64();
            if (tag == DtNull)
            {
                break;
            }

            if (tag == DtNeeded)
            {
                needed.Add(ReadString(file, strings.Offset, strings.Size, value, path));
            }
        }

        return needed;
    }

    private static string ReadString(FileStream file, long tableOffset, long tableSize, long index, string path)
    {
        if (index < 0 || index >= tableSize)
        {
            throw new InvalidDataException($"{path}: string index {index} is outside its dynamic string table");
        }

        file.Position = tableOffset + index;
        var bytes = new List<byte>();
        int b;
        while ((b = file.ReadByte()) > 0 && index + bytes.Count < tableSize)
        {
            bytes.Add((byte)b);
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }
}
