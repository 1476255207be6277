namespace Runtype.Application.Common;

/// <summary>A resource with the version it was read or written at (the session's concurrency token, which the API turns into its ETag).</summary>
public sealed record Versioned<T>(T Value, long Version);
