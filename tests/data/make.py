"""Regenerates the documents the end-to-end OCR and masking tests read, and the
business-plan PDF the report-embed tests read (report.pdf).

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


# report.pdf (components/report-embed's tests): a heading, paragraphs, a table
# drawn as text in three columns, and a PNG whose text exists only as pixels.
REPORT_TITLE = "스마트 물류 플랫폼 사업계획서 (예시)"
REPORT_PARAGRAPHS = [
    ["본 사업은 중소 유통사를 위한 스마트 물류 플랫폼을 구축하여 배송 경로와 재고를",
     "실시간으로 최적화하는 것을 목표로 한다. 창고 관리와 차량 배차를 하나의 화면에서",
     "처리하여 물류 비용을 줄인다."],
    ["핵심 기술은 수요 예측 모델과 경로 최적화 알고리즘이다. 주문 데이터와 교통 정보를",
     "결합하여 배송 시간을 예측하고, 신선 식품의 온도 이력을 기록하여 품질을 관리한다."],
    ["초기 고객은 수도권 식자재 유통사이며, 구독형 요금제로 매출을 확보한다."],
]
REPORT_TABLE = [
    ["연도", "매출", "고객 수"],
    ["2024년", "5억 원", "120곳"],
    ["2025년", "12억 원", "340곳"],
    ["2026년", "30억 원", "800곳"],
]
REPORT_IMAGE_TEXT = "냉장 물류 센서 네트워크"


def report_image() -> Image.Image:
    font = ImageFont.truetype(FONT, 32)
    image = Image.new("L", (520, 90), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((2, 2, 517, 87), outline=0, width=3)
    draw.text((40, 25), REPORT_IMAGE_TEXT, font=font, fill=0)
    return image


def report_pdf() -> None:
    pdf = canvas.Canvas(str(HERE / "report.pdf"), pagesize=A4, invariant=1)
    pdf.setTitle(REPORT_TITLE)
    pdf.setFont("NanumGothic", 20)
    y = A4[1] - 80
    pdf.drawString(72, y, REPORT_TITLE)
    y -= 44
    pdf.setFont("NanumGothic", 11)
    for paragraph in REPORT_PARAGRAPHS:
        for line in paragraph:
            pdf.drawString(72, y, line)
            y -= 17
        y -= 14
    y -= 10
    columns = [90, 250, 410]
    for row in REPORT_TABLE:
        for x, cell in zip(columns, row):
            pdf.drawString(x, y, cell)
        pdf.line(80, y - 6, 520, y - 6)
        y -= 24
    y -= 20
    image = report_image()
    pdf.drawImage(ImageReader(image), 72, y - image.height * 0.6, image.width * 0.6, image.height * 0.6)
    pdf.setFont("NanumGothic", 9)
    pdf.drawString(72, y - image.height * 0.6 - 16, "그림 1. 센서 구성")
    pdf.showPage()
    pdf.save()


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

    report_pdf()


if __name__ == "__main__":
    main()
