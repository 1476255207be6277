using FluentValidation;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;

namespace Runtype.Application.ApiKeys.CreateApiKey;

public sealed class CreateApiKeyValidator : AbstractValidator<CreateApiKey>
{
    public CreateApiKeyValidator()
    {
        RuleFor(c => c.UserId).NotEmpty().MaximumLength(SessionLimits.OwnerIdLength).OverridePropertyName("user");
        RuleFor(c => c.OrganizationId).MaximumLength(SessionLimits.OwnerIdLength).OverridePropertyName("org");
        RuleFor(c => c.Name).MaximumLength(ApiKey.NameLength).OverridePropertyName("name");
        RuleFor(c => c.Scopes)
            .NotEmpty()
            .Must(scopes => scopes.All(ApiKeyScopes.IsKnown))
            .WithMessage($"scopes must be a comma-separated list of: {string.Join(", ", ApiKeyScopes.All)}.")
            .OverridePropertyName("scopes");
    }
}
