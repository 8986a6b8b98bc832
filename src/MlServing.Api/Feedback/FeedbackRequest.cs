using System.Globalization;
using System.Text.Json;
using MlServing.Api.Requests;
using MlServing.Inference.Errors;
using MlServing.Inference.Monitoring.Feedback;

namespace MlServing.Api.Feedback;

/// <summary>
/// A <c>POST /v2/models/{name}/feedback</c> body: <c>{"id": "...", "labels": [...]}</c> (true classes as labels or class
/// indices, one per row) or <c>{"id": "...", "values": [...]}</c> (true values of a regression), parsed in one pass.
/// </summary>
internal sealed class FeedbackRequest
{
    public string? Id { get; private set; }

    public FeedbackTruth? Truth { get; private set; }

    public InferenceError? Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return InferenceError.Invalid("body", "the body must be a JSON object with 'id' and 'labels' or 'values'");
        }

        List<FeedbackLabel>? labels = null;
        List<double>? values = null;
        var idSeen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            InferenceError? error;
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                error = idSeen ? JsonMembers.GivenTwice("id") : reader.TokenType == JsonTokenType.String ? null : InferenceError.Invalid("id", "'id' must be a string: the request id of the answer (its X-Request-Id)");
                idSeen = true;
                Id = error is null ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("labels"u8))
            {
                reader.Read();
                error = labels is not null ? JsonMembers.GivenTwice("labels") : ReadLabels(ref reader, labels = []);
            }
            else if (reader.ValueTextEquals("values"u8))
            {
                reader.Read();
                error = values is not null ? JsonMembers.GivenTwice("values") : ReadValues(ref reader, values = []);
            }
            else
            {
                var name = reader.GetString();
                return InferenceError.Invalid(name ?? "body", $"unknown field '{name}' (expected id, labels or values)");
            }

            if (error is not null)
            {
                return error;
            }
        }

        if (reader.Read())
        {
            return InferenceError.Invalid("body", "unexpected content after the JSON object");
        }

        if (string.IsNullOrEmpty(Id))
        {
            return InferenceError.Invalid("id", "'id' is required: the request id of the answer (its X-Request-Id)");
        }

        if ((labels is null) == (values is null))
        {
            return InferenceError.Invalid(labels is null ? "labels" : "values", "send the truth of each row as either 'labels' (classes) or 'values' (regression), not both");
        }

        if ((labels?.Count ?? values!.Count) == 0)
        {
            return InferenceError.Invalid(labels is null ? "values" : "labels", "the truth must have one entry per row of the request");
        }

        Truth = new FeedbackTruth(labels?.ToArray(), values?.ToArray());
        return null;
    }

    private static InferenceError? ReadLabels(ref Utf8JsonReader reader, List<FeedbackLabel> labels)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.Invalid("labels", "'labels' must be an array: one class (a label or a class index) per row");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                labels.Add(FeedbackLabel.OfName(reader.GetString()!));
            }
            else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var index) && index >= 0)
            {
                labels.Add(FeedbackLabel.OfIndex(index));
            }
            else
            {
                reader.Skip();
                return InferenceError.Invalid(Element("labels", labels.Count), "a class must be a label (string) or a class index (non-negative integer)");
            }
        }

        return null;
    }

    private static InferenceError? ReadValues(ref Utf8JsonReader reader, List<double> values)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return InferenceError.Invalid("values", "'values' must be an array: one true value per row");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value) || !double.IsFinite(value))
            {
                reader.Skip();
                return InferenceError.Invalid(Element("values", values.Count), "a true value must be a finite number");
            }

            values.Add(value);
        }

        return null;
    }

    private static string Element(string field, int index) => string.Create(CultureInfo.InvariantCulture, $"{field}[{index}]");

}
