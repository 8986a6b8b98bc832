using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace MlServing.Tests.Infrastructure;

/// <summary>
/// FsCheck generators of hostile request bodies for both JSON APIs, aimed at a model <c>id</c> (identity, FP32 [?, 2],
/// input <c>x</c>): valid bodies, the same bodies with one thing broken (an element of any type or an odd number, a
/// duplicated, unknown or unicode member, a wrong type, ragged, deeper or wider data, truncation, trailing content, a
/// body over the size limit, thousands of rows), and random JSON-ish text that is deep, huge or malformed.
/// </summary>
public static class HostileJson
{
    /// <summary>The fixture's body limit; <see cref="OverLimitPadding"/> makes a body larger than it.</summary>
    public const int BodyLimit = 256 * 1024;

    private const int OverLimitPadding = BodyLimit + 1024;

    private static readonly string[] FiniteNumberTexts =
    [
        "0", "-0", "0.0", "-0.0", "1e-400", "-1e-400", "1E+2", "0.1", "1.5", "-2", "16777217", "3.4028235e38", "-3.4028235e38",
        "1e-45", "1.17549435e-38", "65504", "2147483648", "0.30000000000000004", "12345678901234567890", "1" + new string('0', 30),
        "0." + new string('0', 300) + "1",
    ];

    private static readonly string[] OddNumberTexts =
    [
        "1e400", "-1e400", "3.4028236e38", "1.7976931348623157e308", "-1.7976931348623157e308", "4.9e-324",
        "1" + new string('0', 400), "-" + new string('9', 5000), "123456789012345678901234567890e300",
    ];

    private static readonly string[] BrokenNumberTexts =
    [
        "NaN", "-NaN", "Infinity", "-Infinity", "+1", "01", "-01", "1.", ".5", "-", "1e", "1e+", "0x10", "1_000", "--1", "1.2.3", "١٢", "1e5.5",
    ];

    private static readonly string[] StringTexts =
    [
        "\"\"", "\"1.5\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"nan\"", "\"abc\"", "\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"",
        "\"🐱\"", "\"ключ\"", "\"\\\"\"", "\"\\\\\"", "\"a\\nb\"", "\"x\"", "\"FP32\"", "\"id\"",
    ];

    /// <summary>Member names as raw JSON string content: the APIs' own, look-alikes (case, escapes, Cyrillic e), unicode and empty.</summary>
    private static readonly string[] KeyTexts =
    [
        "model", "version", "instances", "inputs", "parameters", "outputs", "id", "name", "shape", "datatype", "data", "timeout", "x", "",
        "Model", "INSTANCES", "ins\\u0074ances", "mod\\u0065l", "mod\u0435l", "\\ud800", "🔑", "ключ", "\\u0000", "a\\\"b", "da\\u0074a",
    ];

    private static readonly string[] PredictFields = ["model", "version", "instances", "inputs", "parameters"];

    private static readonly string[] InferFields = ["id", "parameters", "inputs", "outputs"];

    private static readonly string[] TensorFields = ["name", "shape", "datatype", "data", "parameters"];

    private static readonly string[] Trailers = [" x", "]", "}", "{}", "[]", " 1", " null", ",", "\u0000"];

    public static Gen<string> FiniteNumber => Gen.Frequency(
        (3, Gen.Elements(FiniteNumberTexts)),
        (3, Gen.Choose(-100_000, 100_000).Select(i => Text(i / 64.0))),
        (2, from mantissa in Gen.Choose(-99_999, 99_999) from exponent in Gen.Choose(-30, 30) select $"{mantissa}e{exponent}"));

    /// <summary>A JSON number or something in its place: odd or finite numbers, malformed number text, strings, literals.</summary>
    public static Gen<string> Scalar => Gen.Frequency(
        (4, FiniteNumber),
        (2, Gen.Elements(OddNumberTexts)),
        (1, Gen.Elements(BrokenNumberTexts)),
        (2, Gen.Elements(StringTexts)),
        (1, Gen.Elements("true", "false", "null")));

    /// <summary>Any JSON-ish value, nested up to about <paramref name="size"/>, sometimes hundreds of levels deep.</summary>
    public static Gen<string> Value(int size) => size <= 1
        ? Scalar
        : Gen.Frequency((5, Scalar), (2, ArrayOf(size)), (2, ObjectOf(size, KeyTexts)), (1, Deep));

    public static Gen<string> AnyValue => Gen.Sized(size => Value(Math.Min(size, 12)));

    private static Gen<string> ArrayOf(int size) =>
        from count in Gen.Choose(0, 4)
        from items in Gen.ArrayOf(Value(size / 2), count)
        select "[" + string.Join(",", items) + "]";

    private static Gen<string> ObjectOf(int size, string[] keys) =>
        from count in Gen.Choose(0, 4)
        from names in Gen.ArrayOf(Gen.Elements(keys), count)
        from values in Gen.ArrayOf(Value(size / 2), count)
        select "{" + string.Join(",", names.Zip(values, (k, v) => $"\"{k}\":{v}")) + "}";

    /// <summary>Arrays or objects nested 1 to 400 levels, balanced or not.</summary>
    private static Gen<string> Deep =>
        from depth in Gen.Choose(1, 400)
        from objects in Gen.Elements(false, true)
        from balanced in Gen.Elements(true, true, false)
        let open = objects ? "{\"a\":" : "["
        let close = objects ? "}" : "]"
        select Repeat(open, depth) + "1" + Repeat(close, balanced ? depth : depth - 1);

    /// <summary>Hostile <c>/predict</c> bodies for model <c>id</c>.</summary>
    public static Gen<HostileBody> PredictBodies => Gen.Frequency(
        (3, ValidPredict.Select(request => request.ToBody("valid", null, mustFail: false) with { MustSucceed = true })),
        (8, ValidPredict.SelectMany(body => Mutate(body, PredictFields))),
        (2, RandomBody(PredictFields)),
        (1, AnyValue.Select(text => Body("random value", text, null, mustFail: false))));

    /// <summary>Hostile Open Inference Protocol bodies for <c>/v2/models/id/infer</c>.</summary>
    public static Gen<HostileBody> InferBodies => Gen.Frequency(
        (3, ValidInfer.Select(request => request.ToBody("valid", null, mustFail: false) with { MustSucceed = true })),
        (8, ValidInfer.SelectMany(body => Mutate(body, InferFields))),
        (2, RandomBody(InferFields)),
        (1, AnyValue.Select(text => Body("random value", text, null, mustFail: false))));

    /// <summary>A valid request: rows (or the tensor <c>x</c>) of two finite numbers each.</summary>
    private static Gen<Request> ValidPredict =>
        from rows in Gen.Choose(1, 4)
        from numbers in Gen.ArrayOf(FiniteNumber, rows * 2)
        from asInputs in Gen.Elements(false, true)
        from version in Gen.Elements<string?>(null, "1", "\"1\"")
        select new Request(
            "predict",
            [("model", "\"id\""), .. version is null ? Array.Empty<(string, string)>() : [("version", version)]],
            asInputs ? "inputs" : "instances",
            numbers,
            DataNested: true,
            Tensor: null);

    private static Gen<Request> ValidInfer =>
        from rows in Gen.Choose(1, 4)
        from numbers in Gen.ArrayOf(FiniteNumber, rows * 2)
        from nested in Gen.Elements(false, true)
        from id in Gen.Elements<string?>(null, "\"r-1\"", "\"\"", "\"🐱\"")
        from timeout in Gen.Elements<string?>(null, "{\"timeout\":30000000}", "{}")
        from order in Gen.Shuffle(new[] { "name", "shape", "datatype", "data" })
        select new Request(
            "infer",
            [.. id is null ? Array.Empty<(string, string)>() : [("id", id)], .. timeout is null ? Array.Empty<(string, string)>() : [("parameters", timeout)]],
            "inputs",
            numbers,
            DataNested: nested,
            Tensor: [.. order.Select(member => (member, member switch
            {
                "name" => "\"x\"",
                "shape" => $"[{rows},2]",
                "datatype" => "\"FP32\"",
                _ => "{data}",
            }))]);

    /// <summary>One thing broken in a valid request.</summary>
    private static Gen<HostileBody> Mutate(Request request, string[] fields)
    {
        var unknown = KeyTexts.Where(k => !fields.Contains(k)).ToArray();
        var mutations = new List<(int, Gen<HostileBody>)>
        {
            (4, from index in Gen.Choose(0, request.Numbers.Length - 1)
                from element in Gen.Frequency((3, Scalar), (1, Value(4)))
                let numbers = request.Numbers.Select((n, i) => i == index ? element : n).ToArray()
                select (request with { Numbers = numbers }).ToBody("element replaced", numbers, mustFail: false)),
            (2, from value in Value(6)
                from member in Gen.Elements(request.Members.Select(m => m.Key).Append(request.DataMember).ToArray())
                select request.ToBody($"{member} duplicated", null, mustFail: true, extra: [(member, value)])),
            (2, from name in Gen.Elements(unknown)
                from value in Value(6)
                select request.ToBody($"unknown member '{name}'", null, mustFail: true, extra: [(name, value)])),
            (2, from value in Value(6)
                from member in Gen.Elements(request.Members.Select(m => m.Key).Append(request.DataMember).ToArray())
                select request.ToBody($"{member} of another type", null, mustFail: false, replace: (member, value))),
            (1, from cut in Gen.Choose(0, 10_000)
                let text = request.Json()
                select Body("truncated", text[..(cut % text.Length)], null, mustFail: true)),
            (1, from trailer in Gen.Elements(Trailers)
                select Body("trailing content", request.Json() + trailer, null, mustFail: true)),
            // OIP data may be nested any way that holds the shape's element count; /predict rows may not.
            (1, from depth in Gen.Choose(1, 200)
                select (request with { Wrap = depth }).ToBody($"data {depth} levels deeper", request.Numbers, mustFail: request.Tensor is null || depth > 60)),
            (1, Gen.Constant((request with { Numbers = [.. request.Numbers[..^1]] }).ToBody("ragged or short data", null, mustFail: true))),
            (1, from width in Gen.Choose(3, 3000)
                let numbers = Enumerable.Range(0, width).Select(i => Text(i)).ToArray()
                select (request with { Numbers = numbers, Width = width }).ToBody(
                    $"a row {width} wide", numbers, mustFail: request.Tensor is null || width != request.Numbers.Length)),
            (1, from rows in Gen.Choose(4097, 6000)
                let numbers = Enumerable.Range(0, rows * 2).Select(i => Text(i % 7)).ToArray()
                select (request with { Numbers = numbers }).ToBody($"{rows} rows", null, mustFail: true)),
            (1, Gen.Constant(request.ToBody("over the body limit", null, mustFail: true, extra: [("pad", "\"" + new string('p', OverLimitPadding) + "\"")]))),
        };
        if (request.Tensor is not null)
        {
            mutations.Add((2,
                from part in Gen.Elements("name", "shape", "datatype")
                from value in Gen.Elements(part switch
                {
                    "name" => new[] { "\"y\"", "\"\"", "\"X\"", "\"\\ud800\"", "1", "null" },
                    "shape" => ["[2]", "[1,3]", "[-1,2]", "[1e30,2]", "[1.5,2]", "[]", "[[1,2]]", "[4611686018427387904,2]"],
                    _ => ["\"FP64\"", "\"FP16\"", "\"INT32\"", "\"BYTES\"", "\"BOOL\"", "\"\"", "\"FP32\\u0000\"", "32"],
                })
                select request.ToBody($"inputs[0].{part} wrong", null, mustFail: true, tensorReplace: (part, value))));
            mutations.Add((1,
                from part in Gen.Elements("name", "shape", "datatype", "data")
                from value in Value(4)
                select request.ToBody($"inputs[0].{part} of any type", null, mustFail: false, tensorReplace: (part, value))));
            mutations.Add((1,
                from part in Gen.Elements("name", "shape", "datatype", "data")
                select request.ToBody($"inputs[0].{part} duplicated", null, mustFail: true, tensorExtra: part)));
        }

        return Gen.Frequency(mutations.ToArray());
    }

    /// <summary>An object with the API's member names (and look-alikes) holding values of any type.</summary>
    private static Gen<HostileBody> RandomBody(string[] fields) =>
        from size in Gen.Choose(2, 10)
        from text in ObjectOf(size, [.. fields, .. fields, .. KeyTexts])
        select Body("random object", text, null, mustFail: false);

    private static HostileBody Body(string kind, string json, string[]? elements, bool mustFail) =>
        new(kind, Encoding.UTF8.GetBytes(json), elements, mustFail);

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    /// <summary>A request as parts, so one part can be broken and the rest written as before.</summary>
    private sealed record Request(string Api, (string Key, string Value)[] Members, string DataMember, string[] Numbers, bool DataNested, (string Field, string Value)[]? Tensor)
    {
        public int Width { get; init; } = 2;

        public int Wrap { get; init; }

        public string Json(
            (string Key, string Value)[]? extra = null, (string Key, string Value)? replace = null, (string Field, string Value)? tensorReplace = null, string? tensorExtra = null)
        {
            var members = Members.Append((Key: DataMember, Value: DataValue(tensorReplace, tensorExtra))).Concat(extra ?? []);
            return "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{(replace is { } r && r.Key == m.Key ? r.Value : m.Value)}")) + "}";
        }

        public HostileBody ToBody(
            string kind, string[]? elements, bool mustFail,
            (string Key, string Value)[]? extra = null, (string Key, string Value)? replace = null, (string Field, string Value)? tensorReplace = null, string? tensorExtra = null) =>
            Body($"{Api}: {kind}", Json(extra, replace, tensorReplace, tensorExtra), elements ?? (mustFail ? null : Numbers), mustFail);

        private string DataValue((string Field, string Value)? tensorReplace, string? tensorExtra)
        {
            var data = DataNested ? Nested() : "[" + string.Join(",", Numbers) + "]";
            data = Repeat("[", Wrap) + data + Repeat("]", Wrap);
            if (Tensor is null)
            {
                return DataMember == "inputs" ? "{\"x\":" + data + "}" : data;
            }

            var fields = Tensor.Select(f => (f.Field, Value: tensorReplace is { } r && r.Field == f.Field ? r.Value : f.Value.Replace("{data}", data, StringComparison.Ordinal)));
            if (tensorExtra is not null)
            {
                fields = fields.Append(fields.First(f => f.Field == tensorExtra));
            }

            return "[{" + string.Join(",", fields.Select(f => $"\"{f.Field}\":{f.Value}")) + "}]";
        }

        private string Nested()
        {
            var rows = new List<string>();
            for (var start = 0; start < Numbers.Length; start += Width)
            {
                rows.Add("[" + string.Join(",", Numbers.Skip(start).Take(Width)) + "]");
            }

            return "[" + string.Join(",", rows) + "]";
        }
    }
}
