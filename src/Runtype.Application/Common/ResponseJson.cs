using System.Text.Json;

namespace Runtype.Application.Common;

/// <summary>
/// The JSON rules of the API's answers, supplied by the host (the Api's <c>ApiJson</c>): what the application writes in the
/// API's own representation, the webhook messages, is written with them, byte for byte as the API would.
/// </summary>
public sealed record ResponseJson(JsonSerializerOptions Options);
