using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Runtype.Api.Http;
using Runtype.Application.Sessions;

namespace Runtype.Api.Sessions;

/// <summary>
/// The answer of <c>GET /sessions</c>, written straight to the response: byte for byte what System.Text.Json writes for
/// a <see cref="SessionPage"/> with <see cref="ApiJson"/>'s rules (SessionPageResultTests compares them), without its
/// per-property metadata and converter calls for the 20 to 100 sessions of a page (docs/performance.md). The OpenAPI
/// document still describes <see cref="SessionPage"/> (<c>ProducesResponseType</c>).
/// </summary>
public sealed class SessionPageResult(SessionPage page) : ActionResult
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText Pagination = JsonEncodedText.Encode("pagination");
    private static readonly JsonEncodedText Limit = JsonEncodedText.Encode("limit");
    private static readonly JsonEncodedText Offset = JsonEncodedText.Encode("offset");
    private static readonly JsonEncodedText Total = JsonEncodedText.Encode("total");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText UserId = JsonEncodedText.Encode("userId");
    private static readonly JsonEncodedText OrganizationId = JsonEncodedText.Encode("organizationId");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText CatalogVersion = JsonEncodedText.Encode("catalogVersion");
    private static readonly JsonEncodedText SchemaVersion = JsonEncodedText.Encode("schemaVersion");
    private static readonly JsonEncodedText Prd = JsonEncodedText.Encode("prd");
    private static readonly JsonEncodedText Plan = JsonEncodedText.Encode("plan");
    private static readonly JsonEncodedText ProductObject = JsonEncodedText.Encode("productObject");
    private static readonly JsonEncodedText ProductObjectHash = JsonEncodedText.Encode("productObjectHash");
    private static readonly JsonEncodedText AssemblyState = JsonEncodedText.Encode("assemblyState");
    private static readonly JsonEncodedText CreatedAt = JsonEncodedText.Encode("createdAt");
    private static readonly JsonEncodedText UpdatedAt = JsonEncodedText.Encode("updatedAt");
    private static readonly JsonEncodedText ExpiresAt = JsonEncodedText.Encode("expiresAt");

    public SessionPage Page => page;

    public override async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        Write(response.BodyWriter, page);
        await response.BodyWriter.FlushAsync(context.HttpContext.RequestAborted);
    }

    public static void Write(IBufferWriter<byte> output, SessionPage page)
    {
        using var json = new Utf8JsonWriter(output, WriterOptions);
        json.WriteStartObject();
        json.WriteStartArray(Data);
        foreach (var session in page.Data)
        {
            WriteSession(json, session);
        }

        json.WriteEndArray();
        json.WriteStartObject(Pagination);
        json.WriteNumber(Limit, page.Pagination.Limit);
        json.WriteNumber(Offset, page.Pagination.Offset);
        json.WriteNumber(Total, page.Pagination.Total);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSession(Utf8JsonWriter json, SessionDto session)
    {
        json.WriteStartObject();
        json.WriteString(Id, session.Id);
        json.WriteString(UserId, session.UserId);
        json.WriteString(OrganizationId, session.OrganizationId);
        json.WriteString(Status, session.Status);
        json.WriteString(CatalogVersion, session.CatalogVersion);
        json.WriteString(SchemaVersion, session.SchemaVersion);
        WriteRaw(json, Prd, session.Prd);
        WriteRaw(json, Plan, session.Plan);
        WriteRaw(json, ProductObject, session.ProductObject);
        json.WriteString(ProductObjectHash, session.ProductObjectHash);
        WriteRaw(json, AssemblyState, session.AssemblyState);
        WriteTimestamp(json, CreatedAt, session.CreatedAt);
        WriteTimestamp(json, UpdatedAt, session.UpdatedAt);
        WriteTimestamp(json, ExpiresAt, session.ExpiresAt);
        json.WriteEndObject();
    }

    /// <summary>A free-form object's stored text as it is, as <see cref="Application.Common.RawJsonConverter"/> writes it.</summary>
    private static void WriteRaw(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        json.WritePropertyName(name);
        if (value is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(value, skipInputValidation: true);
        }
    }

    private static void WriteTimestamp(Utf8JsonWriter json, JsonEncodedText name, DateTime value)
    {
        Span<byte> text = stackalloc byte[UtcTimestampConverter.Length];
        UtcTimestampConverter.Format(value, text);
        json.WriteString(name, text);
    }
}
