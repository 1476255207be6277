using FluentValidation;
using Runtype.Domain.ApiKeys;
using Runtype.Domain.Sessions;

namespace Runtype.Application.ApiKeys.CreateApiKey;

public sealed class CreateApiKeyValidator : AbstractValidator<CreateApiKey>
{
    public CreateApiKeyValidator()
    {
        RuleFor(c => c.UserId).NotEmpty().MaximumLength(SessionLimits.OwnerIdLength).Must(NotPadded)
            .WithMessage("user must not start or end with whitespace.").OverridePropertyName("user");
        RuleFor(c => c.OrganizationId).MaximumLength(SessionLimits.OwnerIdLength).Must(NotPadded)
            .WithMessage("org must not start or end with whitespace.").OverridePropertyName("org");
        RuleFor(c => c.Name).MaximumLength(ApiKey.NameLength).OverridePropertyName("name");
        RuleFor(c => c.Scopes)
            .NotEmpty()
            .Must(scopes => scopes.All(ApiKeyScopes.IsKnown))
            .WithMessage($"scopes must be a comma-separated list of: {string.Join(", ", ApiKeyScopes.All)}.")
            .OverridePropertyName("scopes");
    }

    /// <summary>Owner ids are compared exactly; SQL Server would ignore trailing spaces, so none are allowed.</summary>
    private static bool NotPadded(string? id) => id is null || id.Length == id.Trim().Length;
}
