using System.Text.Json;
using FluentValidation;
using Runtype.Domain.Sessions;

namespace Runtype.Application.Sessions.UpdateSession;

public sealed class UpdateSessionValidator : AbstractValidator<UpdateSession>
{
    public UpdateSessionValidator()
    {
        RuleFor(c => c)
            .Must(c => c.HasAnyField)
            .WithMessage("The body must set at least one of: status, prd, plan, productObject, productObjectHash, assemblyState.")
            .OverridePropertyName("body");

        RuleFor(c => c.Status.Value)
            .Must(status => SessionLifecycle.TryParse(status, out _))
            .WithMessage($"status must be one of: {string.Join(", ", SessionLifecycle.AllWireNames)}.")
            .OverridePropertyName("status")
            .When(c => c.Status.HasValue);

        RuleFor(c => c.ProductObjectHash.Value)
            .Must(hash => hash is null || (hash.Length == SessionLimits.HashLength && hash.All(char.IsAsciiHexDigit)))
            .WithMessage("productObjectHash must be a SHA-256 in hex (64 characters), or null for a session without productObject.")
            .OverridePropertyName("productObjectHash")
            .When(c => c.ProductObjectHash.HasValue);

        RuleFor(c => c.AssemblyState.Value)
            .Must(HaveValidProgress)
            .WithMessage($"assemblyState.progress must be a number from {SessionLimits.MinProgress} to {SessionLimits.MaxProgress}.")
            .OverridePropertyName("assemblyState.progress")
            .When(c => c.AssemblyState.HasValue);
    }

    private static bool HaveValidProgress(JsonElement? state)
    {
        if (state is not { ValueKind: JsonValueKind.Object } element || !element.TryGetProperty("progress", out var progress))
        {
            return true;
        }

        return progress.ValueKind == JsonValueKind.Number
            && progress.TryGetDouble(out var value)
            && double.IsFinite(value)
            && value >= SessionLimits.MinProgress
            && value <= SessionLimits.MaxProgress;
    }
}
