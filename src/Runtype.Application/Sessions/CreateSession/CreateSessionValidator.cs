using FluentValidation;
using Runtype.Application.Common.Idempotency;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.CreateSession;

public sealed class CreateSessionValidator : AbstractValidator<CreateSession>
{
    public CreateSessionValidator()
    {
        RuleFor(c => c.CatalogVersion).MaximumLength(SessionLimits.VersionLength).OverridePropertyName("catalogVersion");
        RuleFor(c => c.SchemaVersion).MaximumLength(SessionLimits.VersionLength).OverridePropertyName("schemaVersion");
        this.AddIdempotencyKeyRule();
    }
}
