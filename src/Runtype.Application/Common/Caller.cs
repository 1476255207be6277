namespace Runtype.Application.Common;

/// <summary>The authenticated user a request acts for: sessions are owned by <see cref="UserId"/>.</summary>
public sealed record Caller(string UserId, string? OrganizationId);
