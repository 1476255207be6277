using FluentValidation;

namespace Runtype.Application.Common.Idempotency;

/// <summary>The shape of an Idempotency-Key: 1 to 255 visible ASCII characters (a UUID is a good choice).</summary>
public static class IdempotencyKeyRules
{
    public const string Field = "Idempotency-Key";

    public static void AddIdempotencyKeyRule<T>(this AbstractValidator<T> validator)
        where T : IIdempotentCommand =>
        validator.RuleFor(c => c.IdempotencyKey)
            .Must(key => key is null || (key.Length is > 0 and <= IdempotencyRecord.KeyLength && key.All(c => c is >= '!' and <= '~')))
            .WithMessage($"The Idempotency-Key header must be 1 to {IdempotencyRecord.KeyLength} visible ASCII characters.")
            .OverridePropertyName(Field);
}
