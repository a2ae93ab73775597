"""Regenerates the documents the end-to-end OCR and masking tests read.

    pip install pillow==12.* reportlab==4.*   # any recent versions
    apt-get install fonts-nanum
    python3 tests/data/make.py

The files are committed so the tests need neither Python nor these packages;
run this only to change them (and update the tests' expectations).
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HERE = Path(__file__).parent
FONT = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"

# One line per PII kind the tests check, plus a look-alike that is not PII.
CARD_LINES = [
    "지원서 접수 2025년 3월 10일",
    "성명: 홍길동",
    "연락처: 010-1234-5678",
    "이메일: hong.gildong@example.com",
    "주문번호 2024-0315-7788 (개인정보 아님)",
]


def contact_card() -> Image.Image:
    font = ImageFont.truetype(FONT, 28)
    image = Image.new("RGB", (1000, 60 + 56 * len(CARD_LINES)), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(CARD_LINES):
        draw.text((40, 30 + 56 * i), line, font=font, fill="black")
    return image


def main() -> None:
    card = contact_card()
    card.save(HERE / "contact-card.png")
    card.save(HERE / "contact-card.jpg", quality=90)
    card.save(HERE / "scanned.pdf", resolution=150.0)

    pdfmetrics.registerFont(TTFont("NanumGothic", FONT))
    # Page 1 has a text layer; page 2 is a scan of the contact card (no text layer).
    pdf = canvas.Canvas(str(HERE / "resume.pdf"), pagesize=A4, invariant=1)
    pdf.setFont("NanumGothic", 14)
    y = A4[1] - 72
    for line in ["이력서", "성명: 김철수", "휴대폰: 010-9876-5432", "Email: chulsoo.kim@example.org",
                 "경력: Capsule 백엔드 개발 (2021-2024)"]:
        pdf.drawString(72, y, line)
        y -= 28
    pdf.showPage()
    pdf.drawImage(ImageReader(card), 36, A4[1] - 36 - card.height * 0.5, card.width * 0.5, card.height * 0.5)
    pdf.showPage()
    pdf.save()


if __name__ == "__main__":
    main()
