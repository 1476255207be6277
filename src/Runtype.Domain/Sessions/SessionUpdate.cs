using Runtype.Domain.Common;

namespace Runtype.Domain.Sessions;

/// <summary>
/// The fields a PATCH may carry. An absent field leaves the session's value alone; a present null clears it.
/// Free-form objects are JSON text. <see cref="ProductObjectHash"/> is a check, never a value to store.
/// </summary>
public sealed record SessionUpdate(
    Optional<SessionStatus> Status = default,
    Optional<string?> Prd = default,
    Optional<string?> Plan = default,
    Optional<string?> ProductObject = default,
    Optional<string?> ProductObjectHash = default,
    Optional<string?> AssemblyState = default);
