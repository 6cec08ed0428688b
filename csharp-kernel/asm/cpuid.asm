; CPUID for hal/Cpuid.cs: hal_cpuid(leaf = edi, subleaf = esi, result = rdx -> u32[4] eax, ebx, ecx, edx).
BITS 64
DEFAULT REL
SECTION .text

GLOBAL hal_cpuid

hal_cpuid:
    push rbx
    mov r8, rdx
    mov eax, edi
    mov ecx, esi
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret
